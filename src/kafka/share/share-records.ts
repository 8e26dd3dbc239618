import type { AcquiredRecord } from '@shoal/protocol';
import type { PartitionReader } from '../../log/partition-reader.js';
import { encodeRecordBatch, type KafkaRecord } from '../protocol/record-batch.js';
import { kafkaRecordOf } from '../records/kafka-records.js';

/** One `AcquiredRecords` entry: a run of offsets with one delivery count. */
export interface AcquiredRange {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

/**
 * The acquired records as stored, so a ShareFetch answers the very bytes Fetch answers (a JSON
 * value's own text): one read of the partition from the first acquired offset to the last (as far
 * as the response budget goes), keeping the acquired offsets. The service's decoded records are
 * the fallback for any the read left out.
 */
export async function storedRecords(
  reader: PartitionReader,
  records: AcquiredRecord[],
): Promise<Map<string, KafkaRecord>> {
  const byPartition = new Map<string, AcquiredRecord[]>();
  for (const r of records)
    byPartition.set(`${r.topic}\u0000${r.partition}`, [
      ...(byPartition.get(`${r.topic}\u0000${r.partition}`) ?? []),
      r,
    ]);
  const found = new Map<string, KafkaRecord>();
  for (const [key, acquired] of byPartition) {
    const offsets = new Set(acquired.map((r) => r.offset));
    const first = Math.min(...offsets);
    const span = Math.max(...offsets) - first + 1;
    const { topic, partition } = acquired[0];
    try {
      const read = await reader.read(topic, partition, first, span, Number.MAX_SAFE_INTEGER);
      for (const stored of read.records)
        if (offsets.has(stored.offset)) found.set(`${key}\u0000${stored.offset}`, kafkaRecordOf(stored));
    } catch {
      // Retention or a delete moved the log meanwhile: the decoded records answer.
    }
  }
  return found;
}

/** A Shoal record as Kafka bytes, from its decoded form: JSON values as their text, raw values as produced. */
export function toKafkaRecord(record: AcquiredRecord): KafkaRecord {
  const value =
    record.valueBase64 !== undefined
      ? Buffer.from(record.valueBase64, 'base64')
      : record.value === undefined
        ? null
        : Buffer.from(JSON.stringify(record.value), 'utf8');
  const key =
    record.keyBase64 !== undefined
      ? Buffer.from(record.keyBase64, 'base64')
      : record.key === null || record.key === undefined
        ? null
        : Buffer.from(record.key, 'utf8');
  const headers =
    record.headerList !== undefined
      ? record.headerList.map((h) => ({
          key: h.name,
          value:
            h.valueBase64 !== undefined
              ? Buffer.from(h.valueBase64, 'base64')
              : h.value === null || h.value === undefined
                ? null
                : Buffer.from(h.value, 'utf8'),
        }))
      : Object.entries(record.headers).map(([name, v]) => ({ key: name, value: Buffer.from(v, 'utf8') }));
  return { offset: record.offset, timestamp: record.timestamp, key, value, headers };
}

/**
 * One partition's acquired records (lowest offset first) as ShareFetch answers them: one record
 * batch holding them all (offsets between them that another member holds are simply absent) and
 * the acquired ranges, a new range wherever the offsets skip or the delivery count changes.
 */
export function sharePartitionData(
  records: AcquiredRecord[],
  stored: Map<string, KafkaRecord> = new Map(),
): { records: Buffer; acquiredRecords: AcquiredRange[] } {
  const sorted = [...records].sort((a, b) => a.offset - b.offset);
  const ranges: AcquiredRange[] = [];
  for (const r of sorted) {
    const last = ranges.at(-1);
    if (last && last.lastOffset + 1 === r.offset && last.deliveryCount === r.deliveryCount) last.lastOffset = r.offset;
    else ranges.push({ firstOffset: r.offset, lastOffset: r.offset, deliveryCount: r.deliveryCount });
  }
  return {
    records: encodeRecordBatch({
      baseOffset: sorted[0].offset,
      records: sorted.map((r) => stored.get(`${r.topic}\u0000${r.partition}\u0000${r.offset}`) ?? toKafkaRecord(r)),
    }),
    acquiredRecords: ranges,
  };
}
