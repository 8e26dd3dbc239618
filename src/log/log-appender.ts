import { Inject, Injectable } from '@nestjs/common';
import type { RecordPosition } from '@shoal/protocol';
import { type Clock, CLOCK } from '../platform/clock.js';
import { UnknownPartitionError, UnknownTopicError } from '../platform/errors/index.js';
import { Partitioner } from './domain/partitioner.js';
import type { AppendRecord } from './domain/record.js';
import type { Topic } from './domain/topic.js';
import type { Sql } from '../storage/database.js';
import { logStore, type PartitionHead, type RecordRow } from './storage/log.store.js';
import { topicStore } from './storage/topic.store.js';
import { TopicUse } from './topic-use.js';
import { appendKey, ChangeSignal } from '../platform/change-signal.js';
import type { Outcome } from '../platform/group-commit.js';

/** Records for one topic, all or nothing. */
export interface AppendRequest {
  topic: string;
  records: AppendRecord[];
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
}

/**
 * Appends records inside a caller's transaction: chooses partitions, assigns offsets under
 * the partition rows' locks, inserts, and moves the partitions' ends. Used by produce (group
 * commit) and by share groups writing to a dead-letter topic in the archive's transaction.
 */
@Injectable()
export class LogAppender {
  private readonly partitioner = new Partitioner();

  constructor(
    private readonly signal: ChangeSignal,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly use: TopicUse,
  ) {}

  async append(sql: Sql, batch: AppendRequest[]): Promise<AppendResult> {
    const topics = new Map(
      (await topicStore.findByNames(sql, [...new Set(batch.map((r) => r.topic))])).map((t) => [t.name, t]),
    );
    for (const topic of topics.values()) this.use.touch(topic);
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
    await logStore.insert(
      sql,
      grown.flatMap(([, appended]) => appended.rows),
    );
    await logStore.advanceHeads(
      sql,
      grown.map(([head, appended]) => [head, appended.bytes]),
    );
    return { outcomes, heads: grown.map(([head]) => head) };
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

  /** After the commit: wake the readers waiting on the partitions that grew. */
  announce(heads: PartitionHead[]): void {
    for (const head of heads) this.signal.notify(appendKey(head.topicId, head.partition));
  }
}
