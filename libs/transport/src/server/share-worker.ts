import type { Logger } from '@nestjs/common';
import { ShoalApiError, type ShoalHttpClient } from '@shoal/client';
import {
  type AcquiredRecord,
  ErrorCode,
  type ProduceBatch,
  type ProducingAcknowledgement as Acknowledgement,
} from '@shoal/protocol';
import { ShoalContext } from '../ctx-host/shoal.context.js';
import { ShoalRejectException } from '../errors/shoal-reject.exception.js';
import { ShoalRetriableException } from '../errors/shoal-retriable.exception.js';
import type { ShoalStatus, ShoalWorkerOptions } from '../shoal-transport.options.js';
import { AckFlusher } from './ack-flusher.js';
import { LockRenewer } from './lock-renewer.js';
import { Lookahead } from './lookahead.js';
import {
  Backoff,
  backoff,
  checkProgress,
  clampReleaseDelay,
  createMissingTopics,
  failureReason,
  isAbort,
  isRefused,
  isUnknownMember,
  jobResult,
  MAX_RELEASE_DELAY_MS,
  sleep,
} from './worker-helpers.js';

/** Runs a record's handler; answers its return value (the job's result). */
type Dispatch = (record: AcquiredRecord, context: ShoalContext) => Promise<unknown>;

/** Per topic: the most runs of a failing record (`attempts`), if any. */
export type AttemptsOf = (topic: string) => number | undefined;

interface Held {
  record: AcquiredRecord;
  settled: boolean;
}

/** The longest a settled record's acknowledgement waits for a fetch to ride on. */
export const ACK_FLUSH_MS = 200;

/**
 * Fetches in flight at once, at most: by default a second for handlers that freed up while the
 * first waits; with `prefetch`, a second only while answers come back full and handlers are idle.
 */
export const MAX_FETCHES = 2;

/** The most records one fetch asks for. */
export const MAX_FETCH_RECORDS = 1_000;

/**
 * A share-group worker. Up to `concurrency` handlers run at once. By default a fetch asks for
 * as many records as there are free handlers (not yet promised to a fetch under way) and goes
 * out as soon as one frees up, carrying its acknowledgement: no record is held that could not
 * start before a fresh fetch could bring it ({@link Lookahead}: jobs shorter than a round trip
 * are fetched a little ahead, slow ones never), so slow jobs spread over every worker of the group. With `prefetch`, once every fetched
 * record has started, the next fetch of up to `prefetch` records goes out while they run, so the
 * broker and the handlers work at the same time; while answers come back full and the handlers
 * drain each batch before it returns, a second fetch is under way too ({@link MAX_FETCHES}), so
 * a fast worker does not wait a round trip between batches. Each handler's outcome becomes an
 * acknowledgement (resolve → accept, ShoalRejectException → reject, anything else → release
 * with backoff) that reaches the broker within {@link ACK_FLUSH_MS}: on the next fetch into a
 * backlog (the last answer was full), or with the others on their own. Every held record —
 * running or prefetched — has its lock renewed until it is settled.
 */
export class ShareWorker {
  private memberId = '';
  private stopping = false;
  private readonly queue: Held[] = [];
  /** Records whose handlers run now. */
  private readonly running = new Set<Held>();
  private wake: (() => void) | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly acks: AckFlusher;
  private readonly locks: LockRenewer;
  private readonly retry = new Backoff(500, 15_000);
  /** Whether the last fetch came back full (more records are likely waiting). */
  private backlog = false;
  /** A fetch's failure, handled by the fetch loop. */
  private error: unknown;
  /**
   * Acknowledgements that rode on a fetch stop() aborted: the broker may have applied them (it
   * does on arrival, before waiting for records) or never seen them.
   */
  private aborted: Acknowledgement[] = [];
  /** Records the fetches under way asked for (default mode: handler slots promised to them). */
  private requested = 0;
  /** Default mode: how many records may be held beyond the free handlers (fast jobs only). */
  private readonly lookahead = new Lookahead();
  /** The group keeps jobs' results (`resultRetentionMs` > 0, as of start): accepts carry them. */
  private keepResults = false;

  constructor(
    private readonly http: ShoalHttpClient,
    private readonly options: ShoalWorkerOptions,
    private readonly dispatch: Dispatch,
    private readonly logger: Logger,
    private readonly setStatus: (status: ShoalStatus) => void,
    private readonly attemptsOf: AttemptsOf = () => options.attempts,
  ) {
    const send = (acks: Acknowledgement[]) => this.http.acknowledge(this.options.group, this.memberId, acks);
    this.acks = new AckFlusher(send, ACK_FLUSH_MS, logger);
    this.locks = new LockRenewer(send, logger);
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 10;
  }

  /** `prefetch` (or its former name `batchSize`): the batch of the throughput mode, if set. */
  private get prefetch(): number | undefined {
    const prefetch = this.options.prefetch ?? this.options.batchSize;
    return prefetch === undefined ? undefined : Math.min(MAX_FETCH_RECORDS, Math.max(1, prefetch));
  }

  async begin(topics: string[]): Promise<void> {
    const deadLetterTopic = this.options.groupConfig?.deadLetterTopic;
    await createMissingTopics(
      this.http,
      deadLetterTopic ? [...topics, deadLetterTopic] : topics,
      this.options.autoCreateTopics,
    );
    await this.configureGroup();
    await this.join(topics);
    this.loop = this.run(topics);
  }

  /**
   * Stops fetching and releases the prefetched records at once (as never delivered: they spend
   * no delivery); lets running handlers finish
   * within the grace period (their acknowledgements still go out), releases the rest, leaves.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.notify();
    await this.loop?.catch(() => undefined);
    await this.resendAborted();
    for (const item of this.queue.splice(0)) this.releaseUnstarted(item);
    await this.acks.flush();
    const deadline = Date.now() + (this.options.shutdownGraceMs ?? 10_000);
    while (this.running.size > 0 && Date.now() < deadline) await Promise.race([this.changed(), sleep(50)]);
    for (const item of this.running) this.settle(item, 'release', 0);
    this.acks.stop();
    this.locks.stop();
    await this.acks.flush();
    if (this.memberId) await this.http.leaveShareGroup(this.options.group, this.memberId).catch(() => undefined);
    this.setStatus('disconnected');
  }

  /**
   * Applies `groupConfig`; a group that does not exist yet starts at `earliest` unless told
   * otherwise, so jobs queued before the first worker are not skipped.
   */
  private async configureGroup(): Promise<void> {
    const { group, groupConfig: given = {}, topicPriority, lowerPriorityShare, maxRecordsPerSecond } = this.options;
    const groupConfig = { ...given };
    if (topicPriority !== undefined) groupConfig.topicPriority = topicPriority;
    if (lowerPriorityShare !== undefined) groupConfig.lowerPriorityShare = lowerPriorityShare;
    if (maxRecordsPerSecond !== undefined) groupConfig.maxRecordsPerSecond = maxRecordsPerSecond;
    const exists = await this.http.describeShareGroup(group).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ShoalApiError && error.code === ErrorCode.UnknownGroup) return false;
        throw error;
      },
    );
    const change = exists ? groupConfig : { autoOffsetReset: 'earliest' as const, ...groupConfig };
    const config =
      Object.keys(change).length > 0
        ? await this.http.updateShareGroupConfig(group, change)
        : (await this.http.describeShareGroup(group)).config;
    this.keepResults = (config.resultRetentionMs ?? 0) > 0;
  }

  private async join(topics: string[]): Promise<void> {
    const joined = await this.http.joinShareGroup(this.options.group, {
      topics,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
    });
    this.memberId = joined.memberId;
    this.setStatus('connected');
  }

  private async run(topics: string[]): Promise<void> {
    const fetches = new Set<Promise<void>>();
    while (!this.stopping) {
      if (this.error !== undefined) {
        // One failure handled once: the other fetch ends first (it may have failed too).
        await Promise.allSettled(fetches);
        if (this.stopping) break;
        const error = this.error;
        this.error = undefined;
        await this.failed(error, topics);
        continue;
      }
      const maxRecords = this.toFetch(fetches.size);
      if (maxRecords > 0) {
        this.requested += maxRecords;
        const fetch: Promise<void> = this.fetchOnce(maxRecords).finally(() => {
          this.requested -= maxRecords;
          fetches.delete(fetch);
          this.notify();
        });
        fetches.add(fetch);
        continue;
      }
      await this.changed();
      // Without prefetch: the handlers that end in this turn of the event loop free their
      // slots together, so one fetch asks for all of them (fast jobs do not cost a fetch each).
      if (this.prefetch === undefined) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.allSettled(fetches);
  }

  /**
   * How many records a fetch going out now asks for (0: none goes out). By default: the free
   * handlers no fetch under way has asked for, plus the records they would start within a
   * fetch's round trip (none for slow jobs), so every record fetched starts about at once. With
   * `prefetch`: a batch, only once every fetched record has started; a second one while the
   * first is under way only if the last answer was full and every handler has finished, so a
   * fast worker does not wait a round trip between batches and a slow one never fetches a
   * second batch ahead. Held records stay within max(concurrency + prefetch, 2 × prefetch).
   */
  private toFetch(inFlight: number): number {
    if (inFlight >= MAX_FETCHES) return 0;
    const prefetch = this.prefetch;
    if (prefetch === undefined) {
      const wanted = this.concurrency + this.lookahead.records(this.concurrency);
      const free = wanted - this.running.size - this.queue.length - this.requested;
      return Math.min(MAX_FETCH_RECORDS, Math.max(0, free));
    }
    if (this.queue.length > 0) return 0;
    if (inFlight === 0) return prefetch;
    return this.backlog && this.running.size === 0 ? prefetch : 0;
  }

  private async fetchOnce(maxRecords: number): Promise<void> {
    // Into a backlog the acks ride on the fetch: one request for both. Otherwise the fetch will
    // likely wait for records, and the acks wait (at most ACK_FLUSH_MS) for a fetch into a
    // backlog or go together on their own: the fetch's look for the next record does not wait
    // for the acks' work and flush, and the acks of many jobs cost one request.
    const acks = this.backlog ? this.acks.take() : [];
    try {
      const fetchedAt = Date.now();
      const sentAt = performance.now();
      // Only a fetch sent into a backlog is answered without waiting: its time is a round trip.
      const intoBacklog = this.backlog;
      const answer = await this.http.shareFetch(
        this.options.group,
        this.memberId,
        { maxRecords, maxWaitMs: this.options.maxWaitMs ?? 1_000, acks },
        this.abort.signal,
      );
      this.recovered();
      this.acks.report(answer.ackResults);
      this.backlog = answer.records.length >= maxRecords;
      if (intoBacklog && this.backlog) this.lookahead.fetched(performance.now() - sentAt);
      for (const record of answer.records) this.hold(record, fetchedAt);
      this.pump();
    } catch (error) {
      this.backlog = false;
      // A fetch stop() aborted was most likely long-polling, its acks applied on arrival; they
      // are sent once more in case it was aborted before it reached the broker.
      if (this.stopping && isAbort(error)) {
        this.aborted.push(...acks);
        return;
      }
      if (acks.length > 0 && isRefused(error)) {
        // The broker refused the request its acknowledgements rode on: they go on their own,
        // one by one, so one bad entry is dropped (and logged) and the others are applied; the
        // next fetch goes without them.
        void this.acks.isolate(acks, error);
        return;
      }
      this.acks.restore(acks);
      this.error ??= error;
    }
  }

  /**
   * Sends the acknowledgements of aborted fetches again, the broker's answers ignored: each one
   * it had applied is refused now (no longer held), each one it never saw is applied.
   */
  private async resendAborted(): Promise<void> {
    const acks = this.aborted.splice(0);
    if (acks.length === 0 || !this.memberId) return;
    await this.http.acknowledge(this.options.group, this.memberId, acks).catch((error: unknown) => {
      this.logger.warn(`${acks.length} acknowledgements could not be sent at shutdown: ${String(error)}`);
    });
  }

  private async failed(error: unknown, topics: string[]): Promise<void> {
    if (isUnknownMember(error)) {
      this.logger.warn(`session of ${this.memberId} in ${this.options.group} ended: joining again`);
      this.setStatus('rebalancing');
      await this.join(topics).catch((e: unknown) => this.logger.error(`rejoin failed: ${String(e)}`));
      return;
    }
    // Once per outage: the next ones back off quietly until `recovered` logs the return.
    const first = this.retry.attempts === 0;
    const delayMs = this.retry.next();
    if (first)
      this.logger.error(
        `fetch from ${this.options.group} failed, retrying in ${Math.round(delayMs)} ms and on with backoff ` +
          `(not logged again until the broker answers): ${String(error)}`,
      );
    this.setStatus('disconnected');
    await sleep(delayMs);
  }

  private recovered(): void {
    if (this.retry.attempts === 0) return;
    this.logger.log(`broker reachable again after ${this.retry.attempts} failed fetches`);
    this.retry.reset();
    this.setStatus('connected');
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

  private hold(record: AcquiredRecord, fetchedAt: number): void {
    if (this.options.autoRenewLocks ?? true) this.locks.track(record, fetchedAt);
    this.queue.push({ record, settled: false });
  }

  /** Starts queued records while fewer than `concurrency` handlers run. */
  private pump(): void {
    while (this.running.size < this.concurrency && this.queue.length > 0 && !this.stopping)
      this.start(this.queue.shift()!);
  }

  private start(item: Held): void {
    const { record } = item;
    const startedAt = performance.now();
    this.running.add(item);
    const context: ShoalContext = new ShoalContext([
      record,
      {
        accept: () => this.settle(item, 'accept', undefined, undefined, undefined, context.takeProduced()),
        release: (delayMs, reason) => this.settle(item, 'release', delayMs, reason),
        reject: (reason) => this.settle(item, 'reject', undefined, reason),
        renew: () => this.renew(item),
        progress: (value) => this.progress(item, value),
      },
    ]);
    void this.dispatch(record, context)
      .then(
        (result) =>
          this.settle(
            item,
            'accept',
            undefined,
            undefined,
            this.keepResults ? jobResult(item.record, result, this.logger) : undefined,
            context.takeProduced(),
          ),
        (error: unknown) => {
          context.takeProduced(); // a handler that throws produces nothing (a reject may carry its own)
          this.settleFailure(item, context.failure ?? error);
        },
      )
      .finally(() => {
        this.lookahead.jobDone(performance.now() - startedAt);
        this.running.delete(item);
        this.pump();
        this.notify();
      });
  }

  private settleFailure(item: Held, error: unknown): void {
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
  private releaseUnstarted(item: Held): void {
    if (!this.claim(item)) return;
    const { topic, partition, offset } = item.record;
    this.acks.add({ topic, partition, offset, type: 'release', delivered: false });
  }

  /** Marks `item` settled and stops renewing its lock; false when it already was. */
  private claim(item: Held): boolean {
    if (item.settled) return false;
    item.settled = true;
    this.locks.untrack(item.record);
    return true;
  }

  private settle(
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
    this.acks.add({
      topic,
      partition,
      offset,
      type,
      ...(releaseDelayMs > 0 ? { delayMs: releaseDelayMs } : {}),
      ...(type !== 'accept' && reason ? { reason } : {}),
      ...(type === 'accept' && result !== undefined ? { result } : {}),
      // Appended in the ack's transaction, if and only if it applies (exactly-once chaining).
      ...(type !== 'release' && produce.length > 0 ? { produce } : {}),
    });
  }

  /** `ctx.progress(value)`: stored on the broker with the record, its lock renewed. */
  private async progress(item: Held, value: unknown): Promise<void> {
    const { topic, partition, offset } = item.record;
    if (item.settled) throw new Error(`${topic}/${partition}@${offset} is already settled: no progress to report`);
    checkProgress(item.record, value);
    const sentAt = Date.now();
    await this.http.reportProgress(this.options.group, this.memberId, {
      topic,
      partition,
      offset,
      value: value ?? null,
    });
    this.locks.renewed(item.record, sentAt);
  }

  private async renew(item: Held): Promise<void> {
    if (item.settled) return;
    const { topic, partition, offset } = item.record;
    const sentAt = Date.now();
    const [result] = await this.http.acknowledge(this.options.group, this.memberId, [
      { topic, partition, offset, type: 'renew' },
    ]);
    if (result?.error) throw new Error(`lock of ${topic}/${partition}@${offset} could not be renewed: ${result.error}`);
    this.locks.renewed(item.record, sentAt);
  }
}
