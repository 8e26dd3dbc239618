import type { Logger } from '@nestjs/common';
import { ShoalApiError } from '@shoal/client';
import { type AckResult, ErrorCode, type ProducingAcknowledgement as Acknowledgement } from '@shoal/protocol';
import { Backoff, FailureRun, isRefused, isUnreachable } from './worker-helpers.js';

/** Sends acknowledgements; resolves with one result per entry. */
export type AckSender = (acks: Acknowledgement[]) => Promise<AckResult[]>;

/**
 * Collects a share worker's acknowledgements and gets them to the broker within a bounded
 * delay: they ride on the next fetch if one starts within `maxDelayMs` ({@link take}), else
 * they go on their own when the delay runs out. Acknowledgements that could not be sent
 * because the broker was unreachable are kept and sent again; a request the broker refused as
 * a whole (400) is sent again entry by entry, and only the entries refused on their own are
 * dropped (and logged), so one bad entry never holds back the others.
 */
export class AckFlusher {
  private pending: Acknowledgement[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  /** Acknowledgements sent at once ({@link sendNow}) whose answers have not come yet. */
  private readonly urgent = new Set<Promise<void>>();
  /** After failed sends, how long the acknowledgements wait before the next try: 1 s doubling to 5 s. */
  private readonly retry = new Backoff(1_000, 5_000);
  private readonly unreachable: FailureRun;

  constructor(
    private readonly send: AckSender,
    private readonly maxDelayMs: number,
    private readonly logger: Logger,
    /** Called when the last acknowledgement sent at once under way was answered. */
    private readonly onSentNow: () => void = () => undefined,
  ) {
    this.unreachable = new FailureRun(logger, 'sending acknowledgements');
  }

  /** Whether acknowledgements sent at once ({@link sendNow}) are under way. */
  get sendingNow(): boolean {
    return this.urgent.size > 0;
  }

  /** How many acknowledgements wait to be sent. */
  get size(): number {
    return this.pending.length;
  }

  /** Queues one acknowledgement; it leaves within `maxDelayMs`. */
  add(ack: Acknowledgement): void {
    this.pending.push(ack);
    this.arm(this.maxDelayMs);
  }

  /**
   * Takes every waiting acknowledgement, to piggy-back on a fetch; runs of accepts of
   * consecutive offsets of one partition go as one range entry (those carrying a result alone).
   */
  take(): Acknowledgement[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    return coalesceAccepts(this.pending.splice(0));
  }

  /** Puts back acknowledgements whose fetch failed, ahead of newer ones. */
  restore(acks: Acknowledgement[]): void {
    if (acks.length === 0) return;
    this.pending.unshift(...acks);
    this.arm(this.retry.next());
  }

  /**
   * Reports the acknowledgements the broker refused (their locks ran out, or were never held).
   * A refused range applied to none of its offsets: they are sent again one by one, so those
   * still held are accepted.
   */
  report(results: AckResult[]): void {
    const refused: AckResult[] = [];
    for (const result of results) {
      if (result.error === null) continue;
      if (result.lastOffset !== undefined && result.lastOffset > result.offset) this.split(result);
      else refused.push(result);
    }
    if (refused.length === 0) return;
    const first = refused[0];
    this.logger.warn(
      `${refused.length} acknowledgements refused (${first.error} for ${first.topic}/${first.partition}@${first.offset}): their locks ran out or were taken over`,
    );
  }

  private split({ topic, partition, offset, lastOffset }: AckResult): void {
    for (let o = offset; o <= lastOffset!; o++)
      this.pending.push({ topic, partition, offset: o, lastOffset: o, type: 'accept' });
    this.arm(0);
  }

  /**
   * Sends acknowledgements whose request the broker refused as a whole (`cause`) one by one,
   * after any send under way: each one refused on its own is dropped and logged, the others
   * are applied. Those the broker could not be reached for wait for the next send.
   */
  isolate(acks: Acknowledgement[], cause: unknown): Promise<void> {
    this.sending = this.sending.then(() => this.sendEach(acks, cause));
    return this.sending;
  }

  private async sendEach(acks: Acknowledgement[], cause: unknown): Promise<void> {
    if (acks.length === 1) {
      this.drop(acks[0], cause);
      return;
    }
    for (const [i, ack] of acks.entries()) {
      try {
        this.report(await this.send([ack]));
      } catch (error) {
        if (isRefused(error)) {
          this.drop(ack, error);
          continue;
        }
        this.unreachable.failed(error);
        this.restore(acks.slice(i));
        return;
      }
    }
  }

  private drop({ topic, partition, offset, type }: Acknowledgement, cause: unknown): void {
    this.logger.error(
      `${type} of ${topic}/${partition}@${offset} refused by the broker, dropped (the record's lock runs out and it is delivered again): ${String(cause)}`,
    );
  }

  /** Sends what waits now, after any send still under way (those sent at once too). */
  flush(): Promise<void> {
    this.sending = this.sending.then(() => Promise.all(this.urgent)).then(() => this.sendPending());
    return this.sending;
  }

  /**
   * Sends one acknowledgement at once, on its own: it carries a request's reply (its `produce`
   * has a batch for `replyTo`), and the caller waits. When the reply topic is gone (the caller
   * closed) the acknowledgement is sent again without the reply; when the broker cannot be
   * reached it waits with the others.
   */
  sendNow(ack: Acknowledgement, replyTo: string): void {
    const sent = this.send([ack]).then(
      (results) => {
        this.report(results);
        this.unreachable.succeeded();
      },
      (error: unknown) => {
        if (!(error instanceof ShoalApiError && error.code === ErrorCode.UnknownTopic))
          return this.failed([ack], error);
        const plain = { ...ack, produce: ack.produce?.filter((batch) => batch.topic !== replyTo) };
        if (plain.produce?.length === 0) delete plain.produce;
        this.logger.debug?.(`reply topic ${replyTo} is gone: answer dropped`);
        this.add(plain);
      },
    );
    this.urgent.add(sent);
    void sent.finally(() => {
      this.urgent.delete(sent);
      if (this.urgent.size === 0) this.onSentNow();
    });
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
      this.unreachable.succeeded();
    } catch (error) {
      await this.failed(acks, error);
    }
  }

  /**
   * A send of `acks` failed: unreachable, or 503 (its database down), they are kept and sent
   * again, logged once per outage; refused, they go one by one (each refused alone is dropped).
   */
  private async failed(acks: Acknowledgement[], error: unknown): Promise<void> {
    if (isUnreachable(error)) {
      this.unreachable.failed(error);
      this.restore(acks);
    } else if (isRefused(error)) {
      await this.sendEach(acks, error);
    } else {
      this.logger.error(`${acks.length} acknowledgements failed: ${String(error)}`);
    }
  }
}

/**
 * The same acknowledgements with each run of plain accepts (no `lastOffset`) of consecutive
 * offsets of one partition as one range entry `[offset, lastOffset]`; the other entries keep
 * their order, ahead of the ranges (each offset is acknowledged once, so order between
 * different offsets does not matter).
 */
export function coalesceAccepts(acks: Acknowledgement[]): Acknowledgement[] {
  const others: Acknowledgement[] = [];
  // By topic, then partition: no key string built per acknowledgement (a drain sends one per record).
  const byTopic = new Map<string, Map<number, number[]>>();
  for (const ack of acks) {
    // An accept carrying its job's result or records to produce goes on its own: a range has no per-offset results.
    if (
      ack.type !== 'accept' ||
      ack.lastOffset !== undefined ||
      ack.result !== undefined ||
      ack.produce !== undefined
    ) {
      others.push(ack);
      continue;
    }
    let partitions = byTopic.get(ack.topic);
    if (!partitions) byTopic.set(ack.topic, (partitions = new Map()));
    let offsets = partitions.get(ack.partition);
    if (!offsets) partitions.set(ack.partition, (offsets = []));
    offsets.push(ack.offset);
  }
  for (const [topic, partitions] of byTopic)
    for (const [partition, offsets] of partitions) pushRanges(others, topic, partition, offsets);
  return others;
}

/** Adds one partition's plain accepts to `out`, each run of consecutive offsets as one entry `[offset, lastOffset]`. */
function pushRanges(out: Acknowledgement[], topic: string, partition: number, offsets: number[]): void {
  offsets.sort((a, b) => a - b);
  for (let i = 0; i < offsets.length;) {
    let j = i;
    while (j + 1 < offsets.length && offsets[j + 1] === offsets[j] + 1) j++;
    const ack: Acknowledgement = { topic, partition, offset: offsets[i], type: 'accept' };
    if (j > i) ack.lastOffset = offsets[j];
    out.push(ack);
    i = j + 1;
  }
}
