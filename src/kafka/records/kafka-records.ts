import type { AppendRecord, StoredRecord } from '../../domain/log/record.js';
import type { KafkaRecord, KafkaRecordHeader } from '../protocol/record-batch.js';

/**
 * The one mapping between Kafka records and Shoal's. Keys are UTF-8 text both ways. A value
 * that is JSON text is stored as JSON (HTTP reads it as `value`), any other as bytes (HTTP
 * `valueBase64`); either way Kafka reads back the very bytes produced. Headers are UTF-8
 * text; a header repeated keeps its last value, a null header value becomes "". A null value
 * (a tombstone) is stored as empty bytes.
 */
const JSON_START = new Set([
  0x7b, 0x5b, 0x22, 0x2d, 0x74, 0x66, 0x6e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
]);

export function appendRecordOf(record: KafkaRecord, partition: number): AppendRecord {
  const key = record.key === null ? null : record.key.toString('utf8');
  const valueBytes = record.value ?? Buffer.alloc(0);
  let headers: string | null = null;
  let headerBytes = 0;
  if (record.headers.length > 0) {
    const object: Record<string, string> = {};
    for (const header of record.headers) {
      const text = header.value === null ? '' : header.value.toString('utf8');
      object[header.key] = text;
    }
    for (const [name, text] of Object.entries(object)) headerBytes += Buffer.byteLength(name) + Buffer.byteLength(text);
    headers = JSON.stringify(object);
  }
  return {
    key,
    value: jsonTextOf(valueBytes) ?? valueBytes,
    headers,
    timestamp: record.timestamp >= 0 ? record.timestamp : null,
    partition,
    size: (record.key?.length ?? 0) + valueBytes.length + headerBytes,
  };
}

/** The value as JSON text when it is JSON whose text gives back exactly these bytes. */
function jsonTextOf(bytes: Buffer): string | null {
  if (bytes.length === 0 || !JSON_START.has(bytes[0]!)) return null;
  const text = bytes.toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  return Buffer.byteLength(text) === bytes.length && Buffer.from(text).equals(bytes) ? text : null;
}

export function kafkaRecordOf(stored: StoredRecord): KafkaRecord {
  const headers: KafkaRecordHeader[] =
    stored.headers === null
      ? []
      : Object.entries(JSON.parse(stored.headers) as Record<string, string>).map(([key, value]) => ({
          key,
          value: Buffer.from(value, 'utf8'),
        }));
  return {
    offset: stored.offset,
    timestamp: stored.timestamp,
    key: stored.key === null ? null : Buffer.from(stored.key, 'utf8'),
    value: typeof stored.value === 'string' ? Buffer.from(stored.value, 'utf8') : stored.value,
    headers,
  };
}
