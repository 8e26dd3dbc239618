import type { AcquiredRecord } from '@shoal/protocol';
import { encodeRecordBatch, type KafkaRecord } from '../protocol/record-batch.js';

/** One `AcquiredRecords` entry: a run of offsets with one delivery count. */
export interface AcquiredRange {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

/** A Shoal record as Kafka bytes: JSON values as their text, raw values as they were produced. */
export function toKafkaRecord(record: AcquiredRecord): KafkaRecord {
  const value =
    record.valueBase64 !== undefined
      ? Buffer.from(record.valueBase64, 'base64')
      : record.value === undefined
        ? null
        : Buffer.from(JSON.stringify(record.value), 'utf8');
  return {
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key === null ? null : Buffer.from(record.key, 'utf8'),
    value,
    headers: Object.entries(record.headers).map(([key, v]) => ({ key, value: Buffer.from(v, 'utf8') })),
  };
}

/**
 * One partition's acquired records (lowest offset first) as ShareFetch answers them: one record
 * batch holding them all (offsets between them that another member holds are simply absent) and
 * the acquired ranges, a new range wherever the offsets skip or the delivery count changes.
 */
export function sharePartitionData(records: AcquiredRecord[]): { records: Buffer; acquiredRecords: AcquiredRange[] } {
  const sorted = [...records].sort((a, b) => a.offset - b.offset);
  const ranges: AcquiredRange[] = [];
  for (const r of sorted) {
    const last = ranges.at(-1);
    if (last && last.lastOffset + 1 === r.offset && last.deliveryCount === r.deliveryCount) last.lastOffset = r.offset;
    else ranges.push({ firstOffset: r.offset, lastOffset: r.offset, deliveryCount: r.deliveryCount });
  }
  return {
    records: encodeRecordBatch({ baseOffset: sorted[0].offset, records: sorted.map(toKafkaRecord) }),
    acquiredRecords: ranges,
  };
}
