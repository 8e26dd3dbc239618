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
      for (const partition of p.value.partitions)
        keys.set(`${p.value.topic.id}:${partition}`, { topicId: p.value.topic.id, partition });
    }
    if (keys.size === 0) return { outcomes: placed.map((p) => (p.ok ? { ok: true, value: [] } : p)), heads: [] };

    const heads = new Map(
      (await logStore.lockHeads(sql, [...keys.values()])).map((h) => [`${h.topicId}:${h.partition}`, h]),
    );
    const addedBytes = new Map<PartitionHead, number>();
    // Rows by partition, in offset order: inserted so, each lands next to the one before it in
    // the primary key (one B-tree edge at a time, not every partition's edge by turns).
    const rows = new Map<PartitionHead, RecordRow[]>([...heads.values()].map((head) => [head, []]));
    const now = this.clock.now();
    const outcomes = placed.map((p, i): Outcome<RecordPosition[]> => {
      if (!p.ok) return p;
      const { topic, partitions } = p.value;
      // Partitions never shrink: a missing one means the topic was deleted meanwhile.
      if (partitions.some((partition) => !heads.has(`${topic.id}:${partition}`)))
        return { ok: false, error: new UnknownTopicError(topic.name) };
      return {
        ok: true,
        value: batch[i].records.map((record, r) =>
          this.assign(record, heads.get(`${topic.id}:${partitions[r]}`)!, now, rows, addedBytes),
        ),
      };
    });
    await logStore.insert(sql, [...rows.values()].flat());
    await logStore.advanceHeads(sql, [...addedBytes]);
    return { outcomes, heads: [...addedBytes.keys()] };
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

  private assign(
    record: AppendRecord,
    head: PartitionHead,
    now: number,
    rows: Map<PartitionHead, RecordRow[]>,
    addedBytes: Map<PartitionHead, number>,
  ): RecordPosition {
    const offset = head.endOffset++;
    const timestamp = record.timestamp ?? now;
    if (timestamp > head.maxTimestamp) head.maxTimestamp = timestamp;
    rows.get(head)!.push({
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
    addedBytes.set(head, (addedBytes.get(head) ?? 0) + record.size);
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
