import { Inject, Injectable } from '@nestjs/common';
import type { RecordPosition } from '../../libs/protocol/src/index.js';
import { type Clock, CLOCK } from '../domain/clock.js';
import { UnknownPartitionError, UnknownTopicError } from '../domain/errors/index.js';
import { assertValidName } from '../domain/log/names.js';
import { Partitioner } from '../domain/log/partitioner.js';
import type { AppendRecord } from '../domain/log/record.js';
import type { Topic } from '../domain/log/topic.js';
import { Database, type Sql } from '../storage/database.js';
import { logStore, type PartitionHead, type RecordRow } from '../storage/log.store.js';
import { topicStore } from '../storage/topic.store.js';
import { appendKey, ChangeSignal } from './change-signal.js';
import { GroupCommit, type Outcome } from './group-commit.js';

interface ProduceRequest {
  topic: string;
  records: AppendRecord[];
}

/** Records per transaction at most; a larger backlog is split over several commits. */
const MAX_RECORDS_PER_COMMIT = 50_000;

/**
 * Appends validated records. Concurrent requests share one transaction (group commit); each
 * request is still all or nothing, and is answered only after its transaction committed.
 */
@Injectable()
export class ProduceService {
  private readonly partitioner = new Partitioner();
  private readonly commits = new GroupCommit<ProduceRequest, RecordPosition[]>(
    (batch) => this.database.transaction((sql) => this.appendBatch(sql, batch)).then((r) => this.announce(r)),
    (request) => request.records.length,
    MAX_RECORDS_PER_COMMIT,
  );

  constructor(
    private readonly database: Database,
    private readonly signal: ChangeSignal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async produce(topic: string, records: AppendRecord[]): Promise<RecordPosition[]> {
    assertValidName('topic', topic);
    return this.commits.submit({ topic, records });
  }

  private async appendBatch(sql: Sql, batch: ProduceRequest[]): Promise<{ outcomes: Outcome<RecordPosition[]>[]; heads: PartitionHead[] }> {
    const topics = new Map((await topicStore.findByNames(sql, [...new Set(batch.map((r) => r.topic))])).map((t) => [t.name, t]));
    const placed = batch.map((request) => this.place(request, topics.get(request.topic)));
    const keys = new Map<string, { topicId: number; partition: number }>();
    for (const p of placed) {
      if (!p.ok) continue;
      for (const partition of p.value.partitions) keys.set(`${p.value.topic.id}:${partition}`, { topicId: p.value.topic.id, partition });
    }
    if (keys.size === 0) return { outcomes: placed.map((p) => (p.ok ? { ok: true, value: [] } : p)), heads: [] };

    const heads = new Map((await logStore.lockHeads(sql, [...keys.values()])).map((h) => [`${h.topicId}:${h.partition}`, h]));
    const addedBytes = new Map<PartitionHead, number>();
    const rows: RecordRow[] = [];
    const now = this.clock.now();
    const outcomes = placed.map((p, i): Outcome<RecordPosition[]> => {
      if (!p.ok) return p;
      const { topic, partitions } = p.value;
      // Partitions never shrink: a missing one means the topic was deleted meanwhile.
      if (partitions.some((partition) => !heads.has(`${topic.id}:${partition}`))) return { ok: false, error: new UnknownTopicError(topic.name) };
      return { ok: true, value: batch[i].records.map((record, r) => this.assign(record, heads.get(`${topic.id}:${partitions[r]}`)!, now, rows, addedBytes)) };
    });
    await logStore.insert(sql, rows);
    for (const [head, bytes] of addedBytes) await logStore.advanceHead(sql, head, bytes);
    return { outcomes, heads: [...addedBytes.keys()] };
  }

  /** Chooses each record's partition; fails the request if its topic or a partition is unknown. */
  private place(request: ProduceRequest, topic: Topic | undefined): Outcome<{ topic: Topic; partitions: number[] }> {
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

  private assign(record: AppendRecord, head: PartitionHead, now: number, rows: RecordRow[], addedBytes: Map<PartitionHead, number>): RecordPosition {
    const offset = head.endOffset++;
    const timestamp = record.timestamp ?? now;
    if (timestamp > head.maxTimestamp) head.maxTimestamp = timestamp;
    rows.push({
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

  /** After the commit: wake the readers waiting on the partitions that grew. */
  private announce(result: { outcomes: Outcome<RecordPosition[]>[]; heads: PartitionHead[] }): Outcome<RecordPosition[]>[] {
    for (const head of result.heads) this.signal.notify(appendKey(head.topicId, head.partition));
    return result.outcomes;
  }
}
