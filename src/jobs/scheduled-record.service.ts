import { Injectable } from '@nestjs/common';
import type { ScheduledRecordList, ScheduledRecordView, WireRecord } from '@shoal/protocol';
import { UnknownScheduledRecordError, UnknownTopicError } from '../platform/errors/index.js';
import { decodeRecord } from '../log/domain/record-codec.js';
import { Database } from '../storage/database.js';
import { idempotencyKeyStore } from './storage/idempotency-key.store.js';
import { type ScheduledRow, scheduledRecordStore } from './storage/scheduled-record.store.js';
import { topicStore } from '../log/storage/topic.store.js';

/** Scheduled records of a topic, soonest first, and cancelling one before it is appended. */
@Injectable()
export class ScheduledRecordService {
  constructor(private readonly database: Database) {}

  async list(topicName: string, limit: number): Promise<ScheduledRecordList> {
    return this.database.run(async (sql) => {
      const topic = await topicStore.findByName(sql, topicName);
      if (!topic) throw new UnknownTopicError(topicName);
      const rows = await scheduledRecordStore.list(sql, topic.id, limit);
      return { scheduledRecords: rows.map((row) => toView(topic.name, row)) };
    });
  }

  /** Cancels a waiting record; its idempotency key (if any) is forgotten, so it may be produced again. */
  async cancel(topicName: string, id: string): Promise<void> {
    await this.database.transaction(async (sql) => {
      const topic = await topicStore.findByName(sql, topicName);
      if (!topic) throw new UnknownTopicError(topicName);
      const waiting = await scheduledRecordStore.find(sql, topic.id, id);
      if (!waiting || !(await scheduledRecordStore.cancel(sql, topic.id, id)))
        throw new UnknownScheduledRecordError(topicName, id);
      if (waiting.idempotencyKey !== null) await idempotencyKeyStore.forget(sql, topic.id, waiting.idempotencyKey);
    });
  }
}

function toView(topic: string, row: ScheduledRow): ScheduledRecordView {
  const wire: Partial<WireRecord> = decodeRecord(topic, row.partition, {
    offset: -1,
    timestamp: 0,
    key: row.key,
    value: row.value,
    headers: row.headers,
    size: row.size,
  });
  delete wire.offset;
  delete wire.timestamp;
  return {
    id: row.id,
    ...(wire as Omit<WireRecord, 'offset' | 'timestamp'>),
    deliverAt: row.deliverAt,
    idempotencyKey: row.idempotencyKey,
  };
}
