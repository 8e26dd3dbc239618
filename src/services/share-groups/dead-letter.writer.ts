import { Injectable } from '@nestjs/common';
import type { Topic } from '../../domain/log/topic.js';
import type { AppendRecord } from '../../domain/log/record.js';
import type { ArchiveReason } from '../../domain/share-group/record-state.js';
import type { Sql } from '../../storage/database.js';
import { logStore, type PartitionHead } from '../../storage/log.store.js';
import { topicStore } from '../../storage/topic.store.js';
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
      const headers = {
        ...(source.headers === null ? {} : (JSON.parse(source.headers) as Record<string, string>)),
        'shoal.dlq.topic': batch.topic.name,
        'shoal.dlq.partition': String(batch.partition),
        'shoal.dlq.offset': String(offset),
        'shoal.dlq.group': batch.group,
        'shoal.dlq.delivery-count': String(deliveryCount),
        'shoal.dlq.reason': reason,
        ...(error === undefined ? {} : { 'shoal.dlq.error': error }),
      };
      const headerBytes = Object.entries(headers).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
        0,
      );
      const valueBytes = typeof source.value === 'string' ? Buffer.byteLength(source.value) : source.value.length;
      records.push({
        key: source.key,
        value: source.value,
        headers: JSON.stringify(headers),
        timestamp: null,
        partition,
        size: (source.key === null ? 0 : Buffer.byteLength(source.key)) + valueBytes + headerBytes,
      });
    }
    if (records.length === 0) return { heads: [], written: 0 };
    const result = await this.appender.append(sql, [{ topic: target.name, records }]);
    return result.outcomes[0].ok ? { heads: result.heads, written: records.length } : { heads: [], written: 0 };
  }
}
