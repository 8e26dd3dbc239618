import type { Logger } from '@nestjs/common';
import { ShoalApiError, type ShoalHttpClient } from '@shoal/client';
import { type AcquiredRecord, ErrorCode, type ProducingAcknowledgement as Acknowledgement } from '@shoal/protocol';
import { ShoalContext } from '../ctx-host/shoal.context.js';
import { REPLY_TO_HEADER } from '../reply/reply-protocol.js';
import type { ShoalStatus, ShoalWorkerOptions } from '../shoal-transport.options.js';
import { LockRenewer } from './lock-renewer.js';
import { Lookahead } from './lookahead.js';
import { type AttemptsOf, type Held, Settlement } from './settlement.js';
import { Backoff, checkProgress, createMissingTopics, isUnknownMember, jobResult, sleep } from './worker-helpers.js';

/** Runs a record's handler; answers its return value (the job's result). */
type Dispatch = (record: AcquiredRecord, context: ShoalContext) => Promise<unknown>;

/**
 * Fetches in flight at once, at most: a second only while answers come back full (by default for
 * handlers that freed up meanwhile; with `prefetch`, once the handlers are idle).
 */
export const MAX_FETCHES = 2;

/**
 * By default, into no backlog, the longest the next fetch waits for short handlers of requests
 * and the acknowledgements carrying their replies (see `holdFor`).
 */
export const FETCH_HOLD_MS = 5;

/** The most records one fetch asks for. */
export const MAX_FETCH_RECORDS = 1_000;

/**
 * A share-group worker. Up to `concurrency` handlers run at once. By default a fetch asks for
 * as many records as there are free handlers (not yet promised to a fetch under way) and goes
 * out as soon as one frees up, unless a fetch already waits for records (it takes them): no
 * record is held that could not start before a fresh fetch could bring it ({@link Lookahead}:
 * jobs shorter than a round trip are fetched a little ahead, slow ones never), so slow jobs
 * spread over every worker of the group. With `prefetch`, once every fetched record has
 * started, the next fetch of up to `prefetch` records goes out while they run, so the broker
 * and the handlers work at the same time; while answers come back full and the handlers drain
 * each batch before it returns, a second fetch is under way too ({@link MAX_FETCHES}), so a
 * fast worker does not wait a round trip between batches. Each handler's outcome becomes an
 * acknowledgement ({@link Settlement}) that reaches the broker within 200 ms: on the next
 * fetch into a backlog (the last answer was full), or with the others on their own (one that
 * carries a request's reply at once). Every held record — running or prefetched — has its
 * lock renewed until it is settled.
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
  private readonly acks: Settlement;
  private readonly locks: LockRenewer;
  private readonly retry = new Backoff(500, 15_000);
  /** Whether the last fetch came back full (more records are likely waiting). */
  private backlog = false;
  /** A fetch's failure, handled by the fetch loop. */
  private error: unknown;
  /** Records the fetches under way asked for (default mode: handler slots promised to them). */
  private requested = 0;
  /** Default mode: how many records may be held beyond the free handlers (fast jobs only). */
  private readonly lookahead = new Lookahead();
  /** The group keeps jobs' results (`resultRetentionMs` > 0, as of start): accepts carry them. */
  private keepResults = false;
  /** Handlers of requests (from `send`) under way. */
  private requests = 0;
  /** Since when the next fetch waits for requests' handlers and replies ({@link holdFor}). */
  private holdSince: number | undefined;

  constructor(
    private readonly http: ShoalHttpClient,
    private readonly options: ShoalWorkerOptions,
    private readonly dispatch: Dispatch,
    private readonly logger: Logger,
    private readonly setStatus: (status: ShoalStatus) => void,
    private readonly attemptsOf: AttemptsOf = () => options.attempts,
  ) {
    const send = (acks: Acknowledgement[]) => this.http.acknowledge(this.options.group, this.memberId, acks);
    this.locks = new LockRenewer(send, logger);
    this.acks = new Settlement(send, this.locks, options, attemptsOf, logger, () => this.notify());
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
    await this.acks.resendAborted();
    for (const item of this.queue.splice(0)) this.acks.releaseUnstarted(item);
    await this.acks.flush();
    const deadline = Date.now() + (this.options.shutdownGraceMs ?? 10_000);
    while (this.running.size > 0 && Date.now() < deadline) await Promise.race([this.changed(), sleep(50)]);
    for (const item of this.running) this.acks.settle(item, 'release', 0);
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
      const holdMs = maxRecords > 0 ? this.holdFor() : 0;
      if (holdMs > 0) {
        await Promise.race([this.changed(), sleep(holdMs)]);
        continue;
      }
      if (maxRecords > 0) {
        this.holdSince = undefined;
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
   * fetch's round trip (none for slow jobs), so every record fetched starts about at once; a
   * second one only into a backlog (the last answer was full). With
   * `prefetch`: a batch, only once every fetched record has started; a second one while the
   * first is under way only if the last answer was full and every handler has finished, so a
   * fast worker does not wait a round trip between batches and a slow one never fetches a
   * second batch ahead. Held records stay within max(concurrency + prefetch, 2 × prefetch).
   */
  private toFetch(inFlight: number): number {
    if (inFlight >= MAX_FETCHES) return 0;
    const prefetch = this.prefetch;
    if (prefetch === undefined) {
      // Into no backlog the fetch under way waits for records: a second would only wait (and
      // look for records, on every produce) beside it. The next goes out when it answers.
      if (inFlight > 0 && !this.backlog) return 0;
      const wanted = this.concurrency + this.lookahead.records(this.concurrency);
      const free = wanted - this.running.size - this.queue.length - this.requested;
      return Math.min(MAX_FETCH_RECORDS, Math.max(0, free));
    }
    if (this.queue.length > 0) return 0;
    if (inFlight === 0) return prefetch;
    return this.backlog && this.running.size === 0 ? prefetch : 0;
  }

  /**
   * By default, into no backlog: how long the next fetch still waits (0: not) for the handlers
   * of requests under way, when jobs are short, and for the acks carrying their replies, so the
   * broker does not look for records beside those commits, on the callers' path; at most
   * {@link FETCH_HOLD_MS} in all.
   */
  private holdFor(): number {
    if (this.prefetch !== undefined || this.backlog || this.stopping) return 0;
    if (this.requests === 0 && !this.acks.replying) return 0;
    if (!this.lookahead.shortJobs(FETCH_HOLD_MS)) return 0;
    const now = performance.now();
    this.holdSince ??= now;
    return Math.max(0, this.holdSince + FETCH_HOLD_MS - now);
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
      if (!this.acks.fetchFailed(acks, error, this.stopping)) this.error ??= error;
    }
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
    const request = record.headers[REPLY_TO_HEADER] !== undefined;
    if (request) this.requests++;
    this.running.add(item);
    const context: ShoalContext = new ShoalContext([
      record,
      {
        accept: () => this.acks.settle(item, 'accept', undefined, undefined, undefined, context.takeProduced()),
        release: (delayMs, reason) => this.acks.settle(item, 'release', delayMs, reason),
        reject: (reason) => this.acks.settle(item, 'reject', undefined, reason),
        renew: () => this.renew(item),
        progress: (value) => this.progress(item, value),
      },
    ]);
    void this.dispatch(record, context)
      .then(
        (result) =>
          this.acks.settle(
            item,
            'accept',
            undefined,
            undefined,
            this.keepResults ? jobResult(item.record, result, this.logger) : undefined,
            context.takeProduced(),
          ),
        (error: unknown) => {
          context.takeProduced(); // a handler that throws produces nothing (a reject may carry its own)
          this.acks.failed(item, context.failure ?? error);
        },
      )
      .finally(() => {
        this.lookahead.jobDone(performance.now() - startedAt);
        if (request) this.requests--;
        this.running.delete(item);
        this.pump();
        this.notify();
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
