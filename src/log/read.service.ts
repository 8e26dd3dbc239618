import { Injectable } from '@nestjs/common';
import type { OffsetForTimestampResponse, ReadResponse, WireRecord } from '@shoal/protocol';
import { UnknownPartitionError } from '../platform/errors/index.js';
import { decodeRecord } from './domain/record-codec.js';
import type { PartitionWindow, Topic } from './domain/topic.js';
import { Database, type Sql } from '../storage/database.js';
import { logStore } from './storage/log.store.js';
import { DEFAULT_SECURITY } from '../config/shoal-config.js';
import { topicStore } from './storage/topic.store.js';
import { appendKey, ChangeSignal, type WaitTiming } from '../platform/change-signal.js';
import { readStored } from './partition-reader.js';
import { requireTopic } from './topic.service.js';
import { TopicUse } from './topic-use.js';

export interface ReadOptions {
  offset?: number;
  maxRecords: number;
  maxBytes?: number;
  maxWaitMs: number;
  /** The server's cap on the bytes of one answer (`SHOAL_MAX_RESPONSE_BYTES`). */
  maxResponseBytes?: number;
  /** Adds up the time spent waiting (the request's timing). */
  timing?: WaitTiming;
}

/** Reading a partition by offset, and finding the offset for a time. */
@Injectable()
export class ReadService {
  constructor(
    private readonly database: Database,
    private readonly signal: ChangeSignal,
    private readonly use: TopicUse,
  ) {}

  async read(topicName: string, partition: number, options: ReadOptions): Promise<ReadResponse> {
    const first = await this.database.run((sql) => readOnce(sql, topicName, partition, options));
    this.use.touch(first.topic);
    if (first.response.records.length > 0 || options.maxWaitMs <= 0) return first.response;
    const deadline = Date.now() + options.maxWaitMs;
    for (;;) {
      // Nothing yet: wait for an append to this partition, registered before the re-read so
      // an append that commits in between still wakes us. A wake-up that finds nothing (a late
      // notification from another broker for an earlier append) waits again for the rest.
      const waiter = this.signal.waiter([appendKey(first.topic.id, partition)], options.timing);
      try {
        const again = await this.database.run((sql) => readOnce(sql, topicName, partition, options));
        this.use.touch(again.topic);
        const remaining = deadline - Date.now();
        if (again.response.records.length > 0 || remaining <= 0 || this.signal.closed) return again.response;
        await waiter.wait(remaining);
      } finally {
        waiter.cancel();
      }
    }
  }

  async offsetForTimestamp(
    topicName: string,
    partition: number,
    timestamp: number,
  ): Promise<OffsetForTimestampResponse> {
    return this.database.run(async (sql) => {
      const topic = await requireTopic(sql, topicName);
      const window = await requirePartition(sql, topic, partition);
      return {
        offset: await logStore.firstOffsetAtOrAfter(
          sql,
          topic.id,
          partition,
          window.startOffset,
          window.endOffset,
          timestamp,
        ),
      };
    });
  }
}

async function requirePartition(sql: Sql, topic: Topic, partition: number): Promise<PartitionWindow> {
  const window = partition < topic.partitionCount ? await topicStore.partition(sql, topic.id, partition) : null;
  if (!window) throw new UnknownPartitionError(topic.name, partition);
  return window;
}

async function readOnce(
  sql: Sql,
  topicName: string,
  partition: number,
  options: ReadOptions,
): Promise<{ topic: Topic; response: ReadResponse }> {
  const budget = Math.min(options.maxBytes ?? Infinity, options.maxResponseBytes ?? DEFAULT_SECURITY.maxResponseBytes);
  const read = await readStored(sql, topicName, partition, options.offset, options.maxRecords, budget);
  const { topic, offset } = read;
  const records: WireRecord[] = [];
  let bytes = 0;
  for (const record of read.records) {
    // The first record is returned even when it alone is over maxBytes.
    if (options.maxBytes !== undefined && records.length > 0 && bytes + record.size > options.maxBytes) break;
    bytes += record.size;
    records.push(decodeRecord(topic.name, partition, record));
  }
  const nextOffset = records.length > 0 ? records[records.length - 1].offset + 1 : offset;
  return {
    topic,
    response: { records, nextOffset, startOffset: read.startOffset, endOffset: Math.max(read.endOffset, nextOffset) },
  };
}
