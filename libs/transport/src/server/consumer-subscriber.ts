import { createHash } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { ShoalApiError, type ShoalHttpClient } from '@shoal/client';
import type { ProduceBatch, TopicPartition, WireRecord } from '@shoal/protocol';
import { ShoalContext } from '../ctx-host/shoal.context.js';
import type { ShoalStatus, ShoalWorkerOptions } from '../shoal-transport.options.js';
import {
  Backoff,
  backoff,
  createMissingTopics,
  FailureRun,
  isAbort,
  isUnknownMember,
  isUnreachable,
  sleep,
} from './worker-helpers.js';

type Dispatch = (record: WireRecord, context: ShoalContext) => Promise<unknown>;

const key = (p: TopicPartition) => `${p.topic}:${p.partition}`;

/** The offset to commit for a partition, and what its handled records produced. */
interface Handled {
  offset: { topic: string; partition: number; offset: number };
  produce: ProduceBatch[];
}

/**
 * A consumer-group subscriber: handles one record at a time per partition (order kept) and
 * partitions in parallel, retries a failing handler in place (at-least-once: nothing is
 * skipped), commits after handling, and heartbeats while it works — a partition the broker
 * revokes is stopped before this member fetches again, so before anyone else gets it.
 */
export class ConsumerSubscriber {
  private memberId = '';
  private generation = 0;
  private heartbeatMs = 3_000;
  private stopping = false;
  private readonly revoked = new Set<string>();
  /** Partitions whose records are being handled now. */
  private readonly inHand = new Set<string>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly fetchFailures: FailureRun;
  /** Producing commits refused (not fenced): the member joins again, back at the group's committed offsets. */
  private readonly refusedCommits = new Backoff(500, 10_000);
  private rejoinAfterBatch = false;

  constructor(
    private readonly http: ShoalHttpClient,
    private readonly options: ShoalWorkerOptions,
    private readonly dispatch: Dispatch,
    private readonly logger: Logger,
    private readonly setStatus: (status: ShoalStatus) => void,
  ) {
    this.fetchFailures = new FailureRun(logger, 'fetch');
  }

  async begin(topics: string[]): Promise<void> {
    await createMissingTopics(this.http, topics, this.options.autoCreateTopics);
    await this.join(topics);
    this.loop = this.run(topics);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.loop?.catch(() => undefined);
    if (this.memberId) await this.http.leaveConsumerGroup(this.options.group, this.memberId).catch(() => undefined);
    this.setStatus('disconnected');
  }

  private async join(topics: string[]): Promise<void> {
    const joined = await this.http.joinConsumerGroup(this.options.group, {
      topics,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      autoOffsetReset: this.options.autoOffsetReset,
    });
    this.memberId = joined.memberId;
    this.generation = joined.generation;
    this.heartbeatMs = joined.heartbeatIntervalMs;
    this.setStatus('connected');
  }

  private async run(topics: string[]): Promise<void> {
    while (!this.stopping) {
      try {
        const answer = await this.http.consumerFetch(
          this.options.group,
          this.memberId,
          { maxRecords: this.options.batchSize ?? 100, maxWaitMs: this.options.maxWaitMs ?? 1_000 },
          this.abort.signal,
        );
        this.fetchFailures.succeeded();
        if (answer.generation !== this.generation) this.setStatus('connected');
        this.generation = answer.generation;
        this.revoked.clear();
        await this.handleBatch(answer.records);
        if (this.rejoinAfterBatch) await this.rejoin(topics);
      } catch (error) {
        if (this.stopping && isAbort(error)) break;
        if (isUnknownMember(error)) {
          this.setStatus('rebalancing');
          await this.join(topics).catch((e: unknown) => this.logger.error(`rejoin failed: ${String(e)}`));
        } else {
          this.fetchFailures.failed(error);
          await sleep(1_000);
        }
      }
    }
  }

  private async handleBatch(records: WireRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byPartition = new Map<string, WireRecord[]>();
    for (const r of records) byPartition.set(key(r), [...(byPartition.get(key(r)) ?? []), r]);
    for (const k of byPartition.keys()) this.inHand.add(k);
    const heartbeat = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    try {
      const done = (await Promise.all([...byPartition.values()].map((list) => this.handlePartition(list)))).filter(
        (d): d is Handled => d !== null,
      );
      if (done.length > 0)
        await this.commit(
          done.map((d) => d.offset),
          done.flatMap((d) => d.produce),
        );
    } finally {
      clearInterval(heartbeat);
      this.inHand.clear();
    }
  }

  /** Handles a partition's records in order; answers the offset to commit and what they produced, or null. */
  private async handlePartition(records: WireRecord[]): Promise<Handled | null> {
    let next: number | null = null;
    const produce: ProduceBatch[] = [];
    for (const record of records) {
      const produced = await this.handleOne(record);
      if (!produced) break;
      produce.push(...produced);
      next = record.offset + 1;
    }
    if (next === null) return null;
    return { offset: { topic: records[0].topic, partition: records[0].partition, offset: next }, produce };
  }

  /**
   * Runs the handler until it succeeds; answers what it produced (`ctx.produce`), each record
   * given an idempotency key of its own unless it has one (see {@link commit}); null when the
   * partition was revoked or the server stops.
   */
  private async handleOne(record: WireRecord): Promise<ProduceBatch[] | null> {
    for (let attempt = 1; ; attempt++) {
      if (this.revoked.has(key(record)) || this.stopping) return null;
      const context = new ShoalContext([record, null]);
      try {
        await this.dispatch(record, context);
        return this.keyed(record, context.takeProduced());
      } catch (error) {
        this.logger.warn(
          `handler failed on ${record.topic}/${record.partition}@${record.offset} (attempt ${attempt}): ${String(error)}`,
        );
        await sleep(backoff(this.options, attempt));
      }
    }
  }

  /** Each produced record without an idempotency key gets one from the group and its source record's position. */
  private keyed(source: WireRecord, batches: ProduceBatch[]): ProduceBatch[] {
    let n = 0;
    const at = `${this.options.group}\u0000${source.topic}\u0000${source.partition}\u0000${source.offset}`;
    return batches.map(({ topic, records }) => ({
      topic,
      records: records.map((r) =>
        r.idempotencyKey === undefined
          ? { ...r, idempotencyKey: createHash('sha256').update(`${at}\u0000${n++}`).digest('base64url') }
          : r,
      ),
    }));
  }

  /**
   * Commits the batch's offsets, with what its handlers produced in the same transaction (a
   * fenced commit produces nothing: the partitions' new owner handles the records again). A
   * producing commit whose answer was lost is sent again until answered: its records carry
   * idempotency keys, so a commit that had applied produces nothing more.
   */
  private async commit(
    offsets: { topic: string; partition: number; offset: number }[],
    produce: ProduceBatch[],
  ): Promise<void> {
    const retry = new Backoff(200, 5_000);
    for (;;) {
      try {
        if (produce.length === 0)
          await this.http.commitOffsets(this.options.group, this.memberId, this.generation, offsets);
        else
          await this.http.commitOffsetsProducing(this.options.group, this.memberId, this.generation, offsets, produce);
        this.refusedCommits.reset();
        return;
      } catch (error) {
        if (produce.length > 0 && isUnreachable(error) && !this.stopping) {
          this.logger.warn(`commit with produce not answered, sending it again: ${String(error)}`);
          await sleep(retry.next());
          continue;
        }
        // Fenced: the partitions moved on; their new owner resumes at the last commit (at-least-once).
        if (error instanceof ShoalApiError && error.code === 'FENCED')
          this.logger.warn(`commit fenced: ${error.message}`);
        else if (produce.length > 0 && !this.stopping) {
          // Refused (an unknown topic to produce to, say): nothing committed, nothing produced, and
          // this member's positions moved past the batch. It joins again and resumes at the
          // group's committed offsets, so the batch is handled again rather than its output lost.
          this.logger.error(`commit with produce refused, handling the batch again: ${String(error)}`);
          this.rejoinAfterBatch = true;
        } else this.logger.error(`commit failed: ${String(error)}`);
        return;
      }
    }
  }

  /** Leaves and joins again (after a backoff): the partitions come back at their committed offsets. */
  private async rejoin(topics: string[]): Promise<void> {
    this.rejoinAfterBatch = false;
    await sleep(this.refusedCommits.next());
    if (this.stopping) return;
    this.setStatus('rebalancing');
    await this.http.leaveConsumerGroup(this.options.group, this.memberId).catch(() => undefined);
    await this.join(topics);
  }

  private async heartbeat(): Promise<void> {
    try {
      const answer = await this.http.consumerHeartbeat(this.options.group, this.memberId);
      if (answer.generation !== this.generation) this.setStatus('rebalancing');
      this.generation = answer.generation;
      // Stop work on what the broker took back: our commit for it would be fenced anyway.
      const held = new Set(answer.assignment.map(key));
      for (const k of this.inHand) if (!held.has(k)) this.revoked.add(k);
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${String(error)}`);
    }
  }
}
