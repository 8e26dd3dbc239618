import type { Logger } from '@nestjs/common';
import type { ShoalHttpClient } from '../../../client/src/index.js';
import type { Acknowledgement, AcquiredRecord } from '../../../protocol/src/index.js';
import { ShoalContext } from '../ctx-host/shoal.context.js';
import { ShoalRejectException } from '../errors/shoal-reject.exception.js';
import { ShoalRetriableException } from '../errors/shoal-retriable.exception.js';
import type { ShoalServerOptions, ShoalStatus } from '../shoal-transport.options.js';
import { backoff, isAbort, isUnknownMember, sleep } from './worker-helpers.js';

type Dispatch = (record: AcquiredRecord, context: ShoalContext) => Promise<void>;

interface Running {
  record: AcquiredRecord;
  settled: boolean;
  renewTimer?: NodeJS.Timeout;
}

/**
 * A share-group worker: keeps up to `concurrency` records in its handlers, turns each
 * handler's outcome into an acknowledgement (resolve → accept, ShoalRejectException → reject,
 * anything else → release with backoff), and sends the acks on its next fetch — or at once
 * when the fetch is waiting. Long handlers get their locks renewed.
 */
export class ShareWorker {
  private memberId = '';
  private stopping = false;
  /** Fetches under way, and the records they asked for (counted against the concurrency). */
  private fetching = 0;
  private requested = 0;
  private readonly running = new Map<string, Running>();
  private pending: Acknowledgement[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private slotFreed: (() => void) | undefined;
  private slotWaiting: Promise<void> | undefined;
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

  async begin(topics: string[]): Promise<void> {
    await this.join(topics);
    // Two fetch loops share the concurrency: one waits on the broker while the other's
    // records are handed out, so neither side idles between round trips.
    this.loop = Promise.all([this.run(topics), this.run(topics)]).then(() => undefined);
  }

  /** Stops fetching, lets running handlers finish within the grace period, releases the rest, leaves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.slotFreed?.();
    await this.loop?.catch(() => undefined);
    const deadline = Date.now() + (this.options.shutdownGraceMs ?? 10_000);
    while (this.running.size > 0 && Date.now() < deadline) await Promise.race([this.slot(), sleep(50)]);
    for (const item of this.running.values()) this.settle(item, 'release', 0);
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
      // Wait until a worthwhile batch can be asked for, rather than one record at a time.
      const batch = Math.min(this.options.batchSize ?? 100, this.concurrency);
      while (this.free() < Math.ceil(batch / 2) && !this.stopping) await this.slot();
      if (this.stopping) break;
      const acks = this.takePending();
      const maxRecords = Math.min(batch, this.free());
      try {
        this.fetching++;
        this.requested += maxRecords;
        const answer = await this.http.shareFetch(this.options.group, this.memberId, { maxRecords, maxWaitMs: this.options.maxWaitMs ?? 1_000, acks }, this.abort.signal);
        const refused = answer.ackResults.filter((r) => r.error !== null).length;
        if (refused > 0) this.logger.warn(`${refused} acknowledgements refused (locks ran out before the handlers finished)`);
        for (const record of answer.records) this.handle(record);
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
        this.fetching--;
        this.requested -= maxRecords;
      }
    }
  }

  /** Records this worker may still take: concurrency less those handled and those asked for. */
  private free(): number {
    return this.concurrency - this.running.size - this.requested;
  }

  /** Resolves when a handler finishes (or the worker stops). */
  private slot(): Promise<void> {
    this.slotWaiting ??= new Promise<void>((resolve) => (this.slotFreed = resolve)).finally(() => (this.slotWaiting = undefined));
    return this.slotWaiting;
  }

  private handle(record: AcquiredRecord): void {
    const item: Running = { record, settled: false };
    this.running.set(`${record.topic}:${record.partition}:${record.offset}`, item);
    const context = new ShoalContext([
      record,
      {
        accept: () => this.settle(item, 'accept'),
        release: (delayMs) => this.settle(item, 'release', delayMs),
        reject: () => this.settle(item, 'reject'),
        renew: () => this.renew(item),
      },
    ]);
    if (this.options.autoRenewLocks ?? true) this.scheduleRenewal(item, record.lockExpiresAt - Date.now());
    void this.dispatch(record, context)
      .then(
        () => this.settle(item, 'accept'),
        (error: unknown) => {
          if (error instanceof ShoalRejectException) this.settle(item, 'reject');
          else this.settle(item, 'release', error instanceof ShoalRetriableException && error.delayMs !== undefined ? error.delayMs : backoff(this.options, record.deliveryCount));
        },
      )
      .finally(() => {
        clearTimeout(item.renewTimer);
        this.running.delete(`${record.topic}:${record.partition}:${record.offset}`);
        this.slotFreed?.();
      });
  }

  private settle(item: Running, type: 'accept' | 'release' | 'reject', delayMs?: number): void {
    if (item.settled) return;
    item.settled = true;
    clearTimeout(item.renewTimer);
    const { topic, partition, offset } = item.record;
    this.pending.push({ topic, partition, offset, type, ...(type === 'release' && delayMs ? { delayMs } : {}) });
    // The fetch in flight already left with its acks: a waiting fetch should not hold these.
    if (this.fetching > 0 && !this.flushTimer) this.flushTimer = setTimeout(() => void this.flush(), 20);
  }

  private scheduleRenewal(item: Running, lockMs: number): void {
    if (lockMs <= 0) return;
    item.renewTimer = setTimeout(() => {
      void this.renew(item).then(
        () => !item.settled && this.scheduleRenewal(item, lockMs),
        (error: unknown) => this.logger.warn(`lock renewal failed: ${String(error)}`),
      );
    }, lockMs / 2);
  }

  private async renew(item: Running): Promise<void> {
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
