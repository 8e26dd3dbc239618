import type { Logger } from '@nestjs/common';
import type { ShoalHttpClient } from '@shoal/client';
import type { Acknowledgement, AcquiredRecord } from '@shoal/protocol';
import { ShoalContext } from '../ctx-host/shoal.context.js';
import { ShoalRejectException } from '../errors/shoal-reject.exception.js';
import { ShoalRetriableException } from '../errors/shoal-retriable.exception.js';
import type { ShoalServerOptions, ShoalStatus } from '../shoal-transport.options.js';
import { backoff, isAbort, isUnknownMember, sleep } from './worker-helpers.js';

type Dispatch = (record: AcquiredRecord, context: ShoalContext) => Promise<void>;

interface Held {
  record: AcquiredRecord;
  settled: boolean;
  renewTimer?: NodeJS.Timeout;
}

/** How long a settled record's ack may wait for the next fetch before it is sent on its own. */
const ACK_FLUSH_MS = 200;

/**
 * A share-group worker. Up to `concurrency` handlers run at once; one fetch of up to
 * `batchSize` records is prefetched while they run, so the broker and the handlers work at
 * the same time. Each handler's outcome becomes an acknowledgement (resolve → accept,
 * ShoalRejectException → reject, anything else → release with backoff) that rides on the
 * next fetch, or goes on its own when the fetch is waiting. Every held record — running or
 * prefetched — has its lock renewed while it is held.
 */
export class ShareWorker {
  private memberId = '';
  private stopping = false;
  private fetching = false;
  private readonly held = new Map<string, Held>();
  private readonly queue: Held[] = [];
  private running = 0;
  private pending: Acknowledgement[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly http: ShoalHttpClient,
    private readonly options: ShoalServerOptions,
    private readonly dispatch: Dispatch,
    private readonly logger: Logger,
    private readonly setStatus: (status: ShoalStatus) => void,
  ) {}

  private get concurrency(): number {
    return this.options.concurrency ?? 10;
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 100;
  }

  async begin(topics: string[]): Promise<void> {
    await this.join(topics);
    this.loop = this.run(topics);
  }

  /** Stops fetching, lets running handlers finish within the grace period, releases the rest, leaves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.wake?.();
    await this.loop?.catch(() => undefined);
    for (const item of this.queue.splice(0)) this.settle(item, 'release', 0); // prefetched, never started
    const deadline = Date.now() + (this.options.shutdownGraceMs ?? 10_000);
    while (this.running > 0 && Date.now() < deadline) await Promise.race([this.changed(), sleep(50)]);
    for (const item of this.held.values()) this.settle(item, 'release', 0);
    await this.flush();
    if (this.memberId) await this.http.leaveShareGroup(this.options.group, this.memberId).catch(() => undefined);
    this.setStatus('disconnected');
  }

  private async join(topics: string[]): Promise<void> {
    const joined = await this.http.joinShareGroup(this.options.group, { topics, sessionTimeoutMs: this.options.sessionTimeoutMs });
    this.memberId = joined.memberId;
    this.setStatus('connected');
  }

  private async run(topics: string[]): Promise<void> {
    while (!this.stopping) {
      // Prefetch one batch at most: fetch again once every fetched record has started.
      while (this.queue.length > 0 && !this.stopping) await this.changed();
      if (this.stopping) break;
      const acks = this.takePending();
      try {
        this.fetching = true;
        const answer = await this.http.shareFetch(
          this.options.group,
          this.memberId,
          { maxRecords: this.batchSize, maxWaitMs: this.options.maxWaitMs ?? 1_000, acks },
          this.abort.signal,
        );
        const refused = answer.ackResults.filter((r) => r.error !== null).length;
        if (refused > 0) this.logger.warn(`${refused} acknowledgements refused (locks ran out before the handlers finished)`);
        for (const record of answer.records) this.hold(record);
        this.pump();
      } catch (error) {
        if (this.stopping && isAbort(error)) break;
        this.pending.unshift(...acks);
        if (isUnknownMember(error)) {
          this.logger.warn(`session of ${this.memberId} ended: joining ${this.options.group} again`);
          this.setStatus('rebalancing');
          await this.join(topics).catch((e: unknown) => this.logger.error(`rejoin failed: ${String(e)}`));
        } else {
          this.logger.error(`fetch failed: ${String(error)}`);
          await sleep(1_000);
        }
      } finally {
        this.fetching = false;
      }
    }
  }

  /** Resolves at the next change of the queue or of the running handlers. */
  private changed(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private hold(record: AcquiredRecord): void {
    const item: Held = { record, settled: false };
    this.held.set(`${record.topic}:${record.partition}:${record.offset}`, item);
    if (this.options.autoRenewLocks ?? true) this.scheduleRenewal(item, record.lockExpiresAt - Date.now());
    this.queue.push(item);
  }

  /** Starts queued records while fewer than `concurrency` handlers run. */
  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0 && !this.stopping) this.start(this.queue.shift()!);
  }

  private start(item: Held): void {
    const { record } = item;
    this.running++;
    const context = new ShoalContext([
      record,
      {
        accept: () => this.settle(item, 'accept'),
        release: (delayMs) => this.settle(item, 'release', delayMs),
        reject: () => this.settle(item, 'reject'),
        renew: () => this.renew(item),
      },
    ]);
    void this.dispatch(record, context)
      .then(
        () => this.settle(item, 'accept'),
        (error: unknown) => {
          if (error instanceof ShoalRejectException) this.settle(item, 'reject');
          else this.settle(item, 'release', error instanceof ShoalRetriableException && error.delayMs !== undefined ? error.delayMs : backoff(this.options, record.deliveryCount));
        },
      )
      .finally(() => {
        this.running--;
        this.pump();
        this.notify();
      });
  }

  private settle(item: Held, type: 'accept' | 'release' | 'reject', delayMs?: number): void {
    if (item.settled) return;
    item.settled = true;
    clearTimeout(item.renewTimer);
    const { topic, partition, offset } = item.record;
    this.held.delete(`${topic}:${partition}:${offset}`);
    this.pending.push({ topic, partition, offset, type, ...(type === 'release' && delayMs ? { delayMs } : {}) });
    // A fetch already under way left without these: if it waits, they go on their own.
    if (this.fetching && !this.flushTimer) this.flushTimer = setTimeout(() => void this.flush(), ACK_FLUSH_MS);
  }

  private scheduleRenewal(item: Held, lockMs: number): void {
    if (lockMs <= 0) return;
    item.renewTimer = setTimeout(() => {
      void this.renew(item).then(
        () => !item.settled && this.scheduleRenewal(item, lockMs),
        (error: unknown) => this.logger.warn(`lock renewal failed: ${String(error)}`),
      );
    }, lockMs / 2);
  }

  private async renew(item: Held): Promise<void> {
    if (item.settled) return;
    const { topic, partition, offset } = item.record;
    await this.http.acknowledge(this.options.group, this.memberId, [{ topic, partition, offset, type: 'renew' }]);
  }

  private takePending(): Acknowledgement[] {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    return this.pending.splice(0);
  }

  private async flush(): Promise<void> {
    const acks = this.takePending();
    if (acks.length === 0 || !this.memberId) return;
    try {
      await this.http.acknowledge(this.options.group, this.memberId, acks);
    } catch (error) {
      this.logger.error(`acknowledgement failed: ${String(error)}`);
    }
  }
}
