import { Inject, Injectable } from '@nestjs/common';
import type { RecordPosition } from '@shoal/protocol';
import { type Clock, CLOCK } from '../platform/clock.js';
import { UnknownPartitionError, UnknownTopicError } from '../platform/errors/index.js';
import { Partitioner } from './domain/partitioner.js';
import type { AppendRecord } from './domain/record.js';
import type { Topic } from './domain/topic.js';
import type { Sql } from '../storage/database.js';
import { logStore, type PartitionHead, type RecordRow } from './storage/log.store.js';
import { appendAlone, type HeadRecords } from './storage/append-alone.store.js';
import { topicStore } from './storage/topic.store.js';
import { TopicUse } from './topic-use.js';
import { appendKey, ChangeSignal } from '../platform/change-signal.js';
import type { Outcome } from '../platform/group-commit.js';

/** Records for one topic, all or nothing. */
export interface AppendRequest {
  topic: string;
  records: AppendRecord[];
  /** Only if no API key exists (a produce whose auth check was deferred: security/deferred-auth.ts). */
  ifNoKeys?: boolean;
}

/** What one append adds to a partition: its rows, in offset order, and their bytes. */
interface Added {
  rows: RecordRow[];
  bytes: number;
}

/** What an append did: per request its positions or its error, and the partitions that grew. */
export interface AppendResult {
  outcomes: Outcome<RecordPosition[]>[];
  heads: PartitionHead[];
  /** Its statement carried the heads' change to the other brokers itself (see {@link LogAppender.announce}). */
  relayed?: boolean;
}

/** Topics an append read, by name, at most this many (the one-statement append places records by them). */
const MAX_KNOWN_TOPICS = 10_000;

/**
 * Appends records inside a caller's transaction: chooses partitions, assigns offsets under
 * the partition rows' locks, inserts, and moves the partitions' ends. Used by produce (group
 * commit) and by share groups writing to a dead-letter topic in the archive's transaction.
 */
@Injectable()
export class LogAppender {
  private readonly partitioner = new Partitioner();
  /**
   * Topics as an append last read them: the one-statement append places records by them, and
   * its statement checks each is still there with that partition count (else it writes nothing).
   */
  private readonly known = new Map<string, Topic>();
  /** Appends that stored a pack (SQLite), and when the last append of any kind ran (`PackFiler` waits for quiet). */
  packs = 0;
  private lastAppendAt: number;

  constructor(
    private readonly signal: ChangeSignal,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly use: TopicUse,
  ) {
    this.lastAppendAt = clock.now();
  }

  async append(sql: Sql, batch: AppendRequest[]): Promise<AppendResult> {
    const topics = new Map(
      (await topicStore.findByNames(sql, [...new Set(batch.map((r) => r.topic))])).map((t) => [t.name, t]),
    );
    for (const topic of topics.values()) {
      this.use.touch(topic);
      this.know(topic);
    }
    const placed = batch.map((request) => this.place(request, topics.get(request.topic)));
    const keys = new Map<string, { topicId: number; partition: number }>();
    for (const p of placed) {
      if (!p.ok) continue;
      const topicId = p.value.topic.id;
      for (const partition of new Set(p.value.partitions)) keys.set(`${topicId}:${partition}`, { topicId, partition });
    }
    if (keys.size === 0) return { outcomes: placed.map((p) => (p.ok ? { ok: true, value: [] } : p)), heads: [] };

    const heads = new Map(
      (await logStore.lockHeads(sql, [...keys.values()])).map((h) => [`${h.topicId}:${h.partition}`, h]),
    );
    // Rows by partition, in offset order: inserted so, each lands next to the one before it in
    // the primary key (one B-tree edge at a time, not every partition's edge by turns).
    const added = new Map<PartitionHead, Added>([...heads.values()].map((head) => [head, { rows: [], bytes: 0 }]));
    const now = this.clock.now();
    const outcomes = placed.map((p, i): Outcome<RecordPosition[]> => {
      if (!p.ok) return p;
      const { topic, partitions } = p.value;
      // The request's heads by partition number, looked up once per partition, not per record.
      const into: [PartitionHead, Added][] = [];
      for (const partition of new Set(partitions)) {
        const head = heads.get(`${topic.id}:${partition}`);
        // Partitions never shrink: a missing one means the topic was deleted meanwhile.
        if (!head) return { ok: false, error: new UnknownTopicError(topic.name) };
        into[partition] = [head, added.get(head)!];
      }
      return { ok: true, value: batch[i].records.map((record, r) => this.assign(record, into[partitions[r]], now)) };
    });
    const grown = [...added].filter(([, appended]) => appended.rows.length > 0);
    this.lastAppendAt = this.clock.now();
    if (
      await logStore.append(
        sql,
        grown.map(([, appended]) => appended.rows),
      )
    )
      this.packs++;
    await logStore.advanceHeads(
      sql,
      grown.map(([head, appended]) => [head, appended.bytes]),
    );
    return { outcomes, heads: grown.map(([head]) => head) };
  }

  /**
   * {@link append} as the transaction's one statement (PostgreSQL; see {@link Sql.alone}): for a
   * batch whose topics an append has read before and whose records the broker stamps. Null
   * when it cannot (SQLite, a topic not read yet or changed since, a record with its own
   * timestamp, a request that fails): nothing was written, and {@link append} does the work.
   * `'keyed'` when a request asks that no API key exist and one does: nothing was written.
   */
  async appendAlone(sql: Sql, batch: AppendRequest[]): Promise<AppendResult | null | 'keyed'> {
    if (sql.kind !== 'postgres') return null;
    const now = this.clock.now();
    const heads = new Map<string, HeadRecords>();
    // Per request, per record: its partition's records and its index among them.
    const slots: [HeadRecords, number][][] = [];
    const topics: Topic[] = [];
    for (const request of batch) {
      const topic = this.known.get(request.topic);
      if (!topic || request.records.some((record) => record.timestamp !== null)) return null;
      topics.push(topic);
      const placed = this.place(request, topic);
      if (!placed.ok) return null;
      slots.push(
        request.records.map((record, r) => {
          const partition = placed.value.partitions[r];
          const key = `${topic.id}:${partition}`;
          let head = heads.get(key);
          if (!head)
            heads.set(
              key,
              (head = { topicId: topic.id, partition, partitionCount: topic.partitionCount, records: [], bytes: 0 }),
            );
          head.bytes += record.size;
          return [head, head.records.push(record) - 1];
        }),
      );
    }
    const ordered = [...heads.values()].sort((a, b) => a.topicId - b.topicId || a.partition - b.partition);
    this.lastAppendAt = now;
    const notify = this.signal.relayPayload(ordered.map((head) => appendKey(head.topicId, head.partition)));
    const appended = await appendAlone(
      sql,
      ordered,
      now,
      batch.some((request) => request.ifNoKeys),
      notify,
    );
    if (appended === 'keyed') return appended;
    if (appended === null) {
      for (const request of batch) this.known.delete(request.topic);
      return null;
    }
    if (appended.packed) this.packs++;
    const before = appended.before;
    const ends = new Map<HeadRecords, number>();
    for (const end of before) ends.set(heads.get(`${end.topicId}:${end.partition}`)!, end.endOffset);
    for (const topic of new Set(topics)) {
      const setting = before.find((end) => end.topicId === topic.id)?.deleteAfterIdleMs ?? null;
      if (setting === null) delete topic.config.deleteAfterIdleMs;
      else topic.config.deleteAfterIdleMs = setting;
      this.use.touch(topic);
    }
    return {
      relayed: notify !== undefined,
      outcomes: slots.map((records) => ({
        ok: true,
        value: records.map(([head, index]) => ({ partition: head.partition, offset: ends.get(head)! + index })),
      })),
      heads: before.map((end) => ({
        topicId: end.topicId,
        partition: end.partition,
        endOffset: end.endOffset + heads.get(`${end.topicId}:${end.partition}`)!.records.length,
        maxTimestamp: Math.max(end.maxTimestamp, now),
      })),
    };
  }

  /**
   * Notes a topic as read (or just created) on this broker: the one-statement append may place
   * records by it (its statement checks the topic is still there with this partition count).
   */
  know(topic: Topic): void {
    if (this.known.size >= MAX_KNOWN_TOPICS) this.known.clear();
    this.known.set(topic.name, topic);
  }

  /** Chooses each record's partition; fails the request if its topic or a partition is unknown. */
  private place(request: AppendRequest, topic: Topic | undefined): Outcome<{ topic: Topic; partitions: number[] }> {
    if (!topic) return { ok: false, error: new UnknownTopicError(request.topic) };
    const partitions: number[] = [];
    for (const record of request.records) {
      if (record.partition !== null && record.partition >= topic.partitionCount) {
        return { ok: false, error: new UnknownPartitionError(topic.name, record.partition) };
      }
      partitions.push(record.partition ?? this.partitioner.choose(topic.id, topic.partitionCount, record.key));
    }
    return { ok: true, value: { topic, partitions } };
  }

  private assign(record: AppendRecord, [head, appended]: [PartitionHead, Added], now: number): RecordPosition {
    const offset = head.endOffset++;
    const timestamp = record.timestamp ?? now;
    if (timestamp > head.maxTimestamp) head.maxTimestamp = timestamp;
    appended.rows.push({
      topicId: head.topicId,
      partition: head.partition,
      offset,
      timestamp,
      maxTimestamp: head.maxTimestamp,
      key: record.key,
      value: record.value,
      headers: record.headers,
      size: record.size,
    });
    appended.bytes += record.size;
    return { partition: head.partition, offset };
  }

  /** The partition a record goes to now (its explicit one, by key, else spread): for records scheduled for later. */
  partitionFor(topic: Topic, record: AppendRecord): number {
    if (record.partition !== null && record.partition >= topic.partitionCount)
      throw new UnknownPartitionError(topic.name, record.partition);
    return record.partition ?? this.partitioner.choose(topic.id, topic.partitionCount, record.key);
  }

  /** Milliseconds since the last append (or since the broker started), by the broker's clock. */
  idleFor(): number {
    return this.clock.now() - this.lastAppendAt;
  }

  /**
   * After the commit: wake the readers waiting on the partitions that grew — in this process
   * only when the append's statement carried the change to the other brokers itself (`relayed`).
   */
  announce(heads: PartitionHead[], relayed = false): void {
    for (const head of heads) {
      const key = appendKey(head.topicId, head.partition);
      if (relayed) this.signal.notifyLocal(key);
      else this.signal.notify(key);
    }
  }
}
