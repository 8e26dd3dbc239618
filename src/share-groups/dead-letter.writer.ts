import { Injectable } from '@nestjs/common';
import type { Topic } from '../log/domain/topic.js';
import { type AppendRecord, keySize, valueSize } from '../log/domain/record.js';
import { type HeaderEntry, headerEntries, storeHeaders } from '../log/domain/record-headers.js';
import type { ArchiveReason } from './domain/record-state.js';
import type { Sql } from '../storage/database.js';
import { logStore, type PartitionHead } from '../log/storage/log.store.js';
import { topicStore } from '../log/storage/topic.store.js';
import { LogAppender } from '../log/log-appender.js';

export interface DeadLetterBatch {
  deadLetterTopic: string;
  group: string;
  topic: Topic;
  partition: number;
  /** `error`: the reason the archiving ack gave, if any (header `shoal.dlq.error`). */
  records: { offset: number; reason: ArchiveReason; deliveryCount: number; error?: string }[];
}

/**
 * Copies archived records to the group's dead-letter topic in the archive's own transaction:
 * key, value and headers, plus `shoal.dlq.*` headers naming where it came from and why (and
 * `shoal.dlq.error`, the reason a reject or release gave), to
 * partition (source partition mod the topic's partition count). A dead-letter topic deleted
 * since it was configured is skipped.
 */
@Injectable()
export class DeadLetterWriter {
  constructor(private readonly appender: LogAppender) {}

  async write(sql: Sql, batch: DeadLetterBatch): Promise<{ heads: PartitionHead[]; written: number }> {
    const target = await topicStore.findByName(sql, batch.deadLetterTopic);
    if (!target || batch.records.length === 0) return { heads: [], written: 0 };
    const offsets = batch.records.map((r) => r.offset).sort((a, b) => a - b);
    const stored = await logStore.read(
      sql,
      batch.topic.id,
      batch.partition,
      offsets[0],
      offsets[offsets.length - 1] - offsets[0] + 1,
    );
    const byOffset = new Map(stored.map((r) => [r.offset, r]));
    const partition = batch.partition % target.partitionCount;
    const records: AppendRecord[] = [];
    for (const { offset, reason, deliveryCount, error } of batch.records) {
      const source = byOffset.get(offset);
      if (!source) continue; // removed by retention meanwhile
      const added: HeaderEntry[] = [
        { name: 'shoal.dlq.topic', value: batch.topic.name },
        { name: 'shoal.dlq.partition', value: String(batch.partition) },
        { name: 'shoal.dlq.offset', value: String(offset) },
        { name: 'shoal.dlq.group', value: batch.group },
        { name: 'shoal.dlq.delivery-count', value: String(deliveryCount) },
        { name: 'shoal.dlq.reason', value: reason },
        ...(error === undefined ? [] : [{ name: 'shoal.dlq.error', value: error }]),
      ];
      const names = new Set(added.map((h) => h.name));
      // The source's own headers, in order and byte for byte (a `shoal.dlq.*` one this copy sets is replaced).
      const headers = storeHeaders([...headerEntries(source.headers).filter((h) => !names.has(h.name)), ...added]);
      records.push({
        key: source.key,
        value: source.value,
        headers: headers.text,
        timestamp: null,
        partition,
        size: keySize(source.key) + valueSize(source.value) + headers.bytes,
      });
    }
    if (records.length === 0) return { heads: [], written: 0 };
    const result = await this.appender.append(sql, [{ topic: target.name, records }]);
    return result.outcomes[0].ok ? { heads: result.heads, written: records.length } : { heads: [], written: 0 };
  }
}
