import type { Logger } from '@nestjs/common';
import type { AcquiredRecord, ProduceBatch, ProducingAcknowledgement as Acknowledgement } from '@shoal/protocol';
import { ShoalRejectException } from '../errors/shoal-reject.exception.js';
import { ShoalRetriableException } from '../errors/shoal-retriable.exception.js';
import { REPLY_TO_HEADER } from '../reply/reply-protocol.js';
import type { ShoalWorkerOptions } from '../shoal-transport.options.js';
import { AckFlusher, type AckSender } from './ack-flusher.js';
import type { LockRenewer } from './lock-renewer.js';
import {
  backoff,
  clampReleaseDelay,
  failureReason,
  isAbort,
  isRefused,
  MAX_RELEASE_DELAY_MS,
} from './worker-helpers.js';

/** Per topic: the most runs of a failing record (`attempts`), if any. */
export type AttemptsOf = (topic: string) => number | undefined;

/** A record a share worker holds (prefetched or running) until it is settled. */
export interface Held {
  record: AcquiredRecord;
  settled: boolean;
}

/** The longest a settled record's acknowledgement waits for a fetch to ride on. */
export const ACK_FLUSH_MS = 200;

/**
 * How a share worker settles the records it holds: each one once — by its handler's outcome
 * (resolve → accept, ShoalRejectException → reject, anything else → release with backoff, or a
 * reject on its last attempt), by hand, or released at shutdown — its lock no longer renewed.
 * The acknowledgements wait in an {@link AckFlusher} for a fetch to ride on, at most
 * {@link ACK_FLUSH_MS}; one that carries a request's reply (the record's reply topic among its
 * `produce`) goes at once on its own, since a caller waits for it.
 */
export class Settlement {
  private readonly acks: AckFlusher;
  /**
   * Acknowledgements that rode on a fetch stop() aborted: the broker may have applied them (it
   * does on arrival, before waiting for records) or never seen them.
   */
  private aborted: Acknowledgement[] = [];

  constructor(
    private readonly send: AckSender,
    private readonly locks: LockRenewer,
    private readonly options: ShoalWorkerOptions,
    private readonly attemptsOf: AttemptsOf,
    private readonly logger: Logger,
    /** Called when the last acknowledgement carrying a reply under way was answered. */
    onReplied: () => void = () => undefined,
  ) {
    this.acks = new AckFlusher(send, ACK_FLUSH_MS, logger, onReplied);
  }

  /** Whether acknowledgements carrying replies are under way. */
  get replying(): boolean {
    return this.acks.sendingNow;
  }

  /** The waiting acknowledgements, to ride on a fetch. */
  take(): Acknowledgement[] {
    return this.acks.take();
  }

  /** The broker's results for acknowledgements that rode on a fetch. */
  report(results: Parameters<AckFlusher['report']>[0]): void {
    this.acks.report(results);
  }

  /**
   * The fetch `acks` rode on failed: answers whether its error is dealt with here (else the
   * fetch loop handles it, the acks kept to be sent again).
   */
  fetchFailed(acks: Acknowledgement[], error: unknown, stopping: boolean): boolean {
    // A fetch stop() aborted was most likely long-polling, its acks applied on arrival; they
    // are sent once more in case it was aborted before it reached the broker.
    if (stopping && isAbort(error)) {
      this.aborted.push(...acks);
      return true;
    }
    if (acks.length > 0 && isRefused(error)) {
      // The broker refused the request its acknowledgements rode on: they go on their own,
      // one by one, so one bad entry is dropped (and logged) and the others are applied; the
      // next fetch goes without them.
      void this.acks.isolate(acks, error);
      return true;
    }
    this.acks.restore(acks);
    return false;
  }

  /**
   * Sends the acknowledgements of aborted fetches again, the broker's answers ignored: each one
   * it had applied is refused now (no longer held), each one it never saw is applied.
   */
  async resendAborted(): Promise<void> {
    const acks = this.aborted.splice(0);
    if (acks.length === 0) return;
    await this.send(acks).catch((error: unknown) => {
      this.logger.warn(`${acks.length} acknowledgements could not be sent at shutdown: ${String(error)}`);
    });
  }

  /** Sends every waiting acknowledgement now (and waits for those under way). */
  flush(): Promise<void> {
    return this.acks.flush();
  }

  /** Stops the timers; what waits stays until {@link flush}. */
  stop(): void {
    this.acks.stop();
  }

  /** A handler's failure as its record's acknowledgement. */
  failed(item: Held, error: unknown): void {
    const reason = failureReason(error);
    if (error instanceof ShoalRejectException)
      return this.settle(item, 'reject', undefined, reason, undefined, error.produce);
    const { topic, deliveryCount } = item.record;
    const attempts = this.attemptsOf(topic);
    if (attempts !== undefined && deliveryCount >= attempts) {
      // Its last attempt: rejected (dead-lettered with the error), not run again.
      return this.settle(item, 'reject', undefined, reason);
    }
    const delayMs =
      error instanceof ShoalRetriableException && error.delayMs !== undefined
        ? error.delayMs
        : backoff(this.options, item.record.deliveryCount);
    this.settle(item, 'release', delayMs, reason);
  }

  /** A record fetched but never started: released with `delivered: false`, so it spends no delivery. */
  releaseUnstarted(item: Held): void {
    if (!this.claim(item)) return;
    const { topic, partition, offset } = item.record;
    this.acks.add({ topic, partition, offset, type: 'release', delivered: false });
  }

  settle(
    item: Held,
    type: 'accept' | 'release' | 'reject',
    delayMs?: number,
    reason?: string,
    result?: unknown,
    produce: ProduceBatch[] = [],
  ): void {
    if (!this.claim(item)) return;
    const { topic, partition, offset } = item.record;
    if (type === 'release' && delayMs !== undefined && delayMs > MAX_RELEASE_DELAY_MS)
      this.logger.warn(
        `release delay of ${topic}/${partition}@${offset} cut from ${delayMs} ms to the broker's most, ${MAX_RELEASE_DELAY_MS} ms`,
      );
    const releaseDelayMs = type === 'release' ? clampReleaseDelay(delayMs) : 0;
    const ack: Acknowledgement = {
      topic,
      partition,
      offset,
      type,
      ...(releaseDelayMs > 0 ? { delayMs: releaseDelayMs } : {}),
      ...(type !== 'accept' && reason ? { reason } : {}),
      ...(type === 'accept' && result !== undefined ? { result } : {}),
      // Appended in the ack's transaction, if and only if it applies (exactly-once chaining).
      ...(type !== 'release' && produce.length > 0 ? { produce } : {}),
    };
    const replyTo = item.record.headers[REPLY_TO_HEADER];
    if (ack.produce?.some((batch) => batch.topic === replyTo)) this.acks.sendNow(ack, replyTo);
    else this.acks.add(ack);
  }

  /** Marks `item` settled and stops renewing its lock; false when it already was. */
  private claim(item: Held): boolean {
    if (item.settled) return false;
    item.settled = true;
    this.locks.untrack(item.record);
    return true;
  }
}
