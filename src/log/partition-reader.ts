import { Inject, Injectable, Optional } from '@nestjs/common';
import { DEFAULT_SECURITY, type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { appendKey, ChangeSignal, type ChangeWaiter } from '../platform/change-signal.js';
import { OffsetOutOfRangeError, UnknownPartitionError } from '../platform/errors/index.js';
import type { StoredRecord } from './domain/record.js';
import type { Topic } from './domain/topic.js';
import { Database, type Sql } from '../storage/database.js';
import { readWithinBudget } from './storage/record-budget.js';
import { topicStore } from './storage/topic.store.js';
import { requireTopic } from './topic.service.js';
import { TopicUse } from './topic-use.js';

/** One partition's records as stored, with its window. */
export interface StoredRead {
  records: StoredRecord[];
  startOffset: number;
  endOffset: number;
}

export interface PartitionRef {
  topic: string;
  partition: number;
}

/**
 * The one read rule of every front door: the partition must exist, `offset` (the start when
 * absent) must lie in its window — else OFFSET_OUT_OF_RANGE — and the records from it come
 * within `budget` bytes (the first always, however large). The end is at least what was read:
 * on PostgreSQL an append may commit between the two reads.
 */
export async function readStored(
  sql: Sql,
  topicName: string,
  partition: number,
  offset: number | undefined,
  maxRecords: number,
  budget: number,
): Promise<StoredRead & { topic: Topic; offset: number }> {
  const topic = await requireTopic(sql, topicName);
  const window = partition < topic.partitionCount ? await topicStore.partition(sql, topic.id, partition) : null;
  if (!window) throw new UnknownPartitionError(topic.name, partition);
  const from = offset ?? window.startOffset;
  if (from < window.startOffset || from > window.endOffset)
    throw new OffsetOutOfRangeError(from, window.startOffset, window.endOffset);
  const records =
    from === window.endOffset ? [] : await readWithinBudget(sql, topic.id, partition, from, maxRecords, budget);
  const last = records.length > 0 ? records[records.length - 1]!.offset + 1 : from;
  return { topic, offset: from, records, startOffset: window.startOffset, endOffset: Math.max(window.endOffset, last) };
}

/**
 * Reads records as stored (for front doors that put them on the wire themselves, as the
 * Kafka listener does), under the same window rule and byte budget as `ReadService`, and a
 * wait on appends to several partitions at once, woken by the same `ChangeSignal`.
 */
@Injectable()
export class PartitionReader {
  constructor(
    private readonly database: Database,
    private readonly signal: ChangeSignal,
    private readonly use: TopicUse,
    @Optional() @Inject(SHOAL_CONFIG) private readonly config?: ShoalConfig,
  ) {}

  /** Records from `offset` within `maxBytes` (the first always, however large); OFFSET_OUT_OF_RANGE outside the window. */
  read(
    topicName: string,
    partition: number,
    offset: number,
    maxRecords: number,
    maxBytes: number,
  ): Promise<StoredRead> {
    const budget = Math.min(maxBytes, this.config?.security?.maxResponseBytes ?? DEFAULT_SECURITY.maxResponseBytes);
    return this.database.run(async (sql) => {
      const { topic, records, startOffset, endOffset } = await readStored(
        sql,
        topicName,
        partition,
        offset,
        maxRecords,
        budget,
      );
      this.use.touch(topic);
      return { records, startOffset, endOffset };
    });
  }

  /** A waiter for appends to any of the partitions (unknown topics are left out); register it before reading. */
  async waiter(partitions: PartitionRef[]): Promise<ChangeWaiter> {
    const ids = new Map<string, number | null>();
    await this.database.run(async (sql) => {
      for (const { topic } of partitions) {
        if (!ids.has(topic)) ids.set(topic, (await topicStore.findByName(sql, topic))?.id ?? null);
      }
    });
    const keys = partitions.flatMap(({ topic, partition }) => {
      const id = ids.get(topic);
      return id === null || id === undefined ? [] : [appendKey(id, partition)];
    });
    return this.signal.waiter(keys);
  }

  /** True once shutdown began: long polls answer at once. */
  get closing(): boolean {
    return this.signal.closed;
  }
}
