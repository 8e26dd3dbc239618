import type { Logger } from '@nestjs/common';
import { ShoalConnectionError } from '@shoal/client';
import type { Acknowledgement, AckResult } from '@shoal/protocol';
import { Backoff } from './worker-helpers.js';

/** Sends acknowledgements; resolves with one result per entry. */
export type AckSender = (acks: Acknowledgement[]) => Promise<AckResult[]>;

/**
 * Collects a share worker's acknowledgements and gets them to the broker within a bounded
 * delay: they ride on the next fetch if one starts within `maxDelayMs` ({@link take}), else
 * they go on their own when the delay runs out. Acknowledgements that could not be sent
 * because the broker was unreachable are kept and sent again.
 */
export class AckFlusher {
  private pending: Acknowledgement[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  /** After failed sends, how long the acknowledgements wait before the next try: 1 s doubling to 5 s. */
  private readonly retry = new Backoff(1_000, 5_000);

  constructor(
    private readonly send: AckSender,
    private readonly maxDelayMs: number,
    private readonly logger: Logger,
  ) {}

  /** How many acknowledgements wait to be sent. */
  get size(): number {
    return this.pending.length;
  }

  /** Queues one acknowledgement; it leaves within `maxDelayMs`. */
  add(ack: Acknowledgement): void {
    this.pending.push(ack);
    this.arm(this.maxDelayMs);
  }

  /** Takes every waiting acknowledgement, to piggy-back on a fetch. */
  take(): Acknowledgement[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.pending.splice(0);
  }

  /** Puts back acknowledgements whose fetch failed, ahead of newer ones. */
  restore(acks: Acknowledgement[]): void {
    if (acks.length === 0) return;
    this.pending.unshift(...acks);
    this.arm(this.retry.next());
  }

  /** Reports the acknowledgements the broker refused (their locks ran out, or were never held). */
  report(results: AckResult[]): void {
    const refused = results.filter((r) => r.error !== null);
    if (refused.length === 0) return;
    const first = refused[0];
    this.logger.warn(
      `${refused.length} acknowledgements refused (${first.error} for ${first.topic}/${first.partition}@${first.offset}): their locks ran out or were taken over`,
    );
  }

  /** Sends what waits now, after any send still under way. */
  flush(): Promise<void> {
    this.sending = this.sending.then(() => this.sendPending());
    return this.sending;
  }

  /** Stops the timer; what waits stays until {@link flush}. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  private async sendPending(): Promise<void> {
    const acks = this.take();
    if (acks.length === 0) return;
    try {
      this.report(await this.send(acks));
      this.retry.reset();
    } catch (error) {
      if (error instanceof ShoalConnectionError) {
        this.logger.error(`${acks.length} acknowledgements not sent, trying again: ${error.message}`);
        this.restore(acks);
      } else {
        this.logger.error(`${acks.length} acknowledgements failed: ${String(error)}`);
      }
    }
  }
}
