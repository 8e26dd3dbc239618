import type { AcquiredStoredRecord } from '../../share-groups/domain/acquired-record.js';
import { encodeRecordBatch } from '../protocol/record-batch.js';
import { kafkaRecordOf } from '../records/kafka-records.js';

/** One `AcquiredRecords` entry: a run of offsets with one delivery count. */
export interface AcquiredRange {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

/**
 * One partition's acquired records (lowest offset first) as ShareFetch answers them: one record
 * batch holding them all, encoded from the records as stored (the very bytes Fetch answers: a
 * JSON value's own text; no second read of the log), offsets between them that another member
 * holds simply absent; and the acquired ranges, a new range wherever the offsets skip or the
 * delivery count changes.
 */
export function sharePartitionData(records: AcquiredStoredRecord[]): {
  records: Buffer;
  acquiredRecords: AcquiredRange[];
} {
  const sorted = [...records].sort((a, b) => a.offset - b.offset);
  const ranges: AcquiredRange[] = [];
  for (const r of sorted) {
    const last = ranges.at(-1);
    if (last && last.lastOffset + 1 === r.offset && last.deliveryCount === r.deliveryCount) last.lastOffset = r.offset;
    else ranges.push({ firstOffset: r.offset, lastOffset: r.offset, deliveryCount: r.deliveryCount });
  }
  return {
    records: encodeRecordBatch({ baseOffset: sorted[0].offset, records: sorted.map(kafkaRecordOf) }),
    acquiredRecords: ranges,
  };
}
