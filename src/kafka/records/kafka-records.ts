import { bytesOrText, headerEntries, headerValueBytes, storeHeaders } from '../../log/domain/record-headers.js';
import { type AppendRecord, keyBytes, type StoredRecord, valueBytes } from '../../log/domain/record.js';
import type { KafkaRecord, KafkaRecordHeader } from '../protocol/record-batch.js';

/**
 * The one mapping between Kafka records and Shoal's, byte for byte both ways. A key is kept
 * as text when its bytes are UTF-8, else as the bytes. A value that is JSON text is stored as
 * JSON (HTTP reads it as `value`), a null value as a tombstone, any other as bytes (HTTP
 * `valueBase64`). Headers keep their order, repeats, null values and bytes (see
 * record-headers.ts). Whatever the form, Kafka reads back the very bytes produced.
 */
/** Bytes a JSON text can start with: a value's first byte, or whitespace before it (RFC 8259). */
const JSON_START = new Set([
  0x7b, 0x5b, 0x22, 0x2d, 0x74, 0x66, 0x6e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x20, 0x09,
  0x0a, 0x0d,
]);

export function appendRecordOf(record: KafkaRecord, partition: number): AppendRecord {
  const key = record.key === null ? null : bytesOrText(record.key);
  const value = record.value;
  let headers: string | null = null;
  let headerBytes = 0;
  if (record.headers.length > 0) {
    const stored = storeHeaders(
      record.headers.map((header) => ({
        name: header.key,
        value: header.value === null ? null : bytesOrText(header.value),
      })),
    );
    headers = stored.text;
    headerBytes = stored.bytes;
  }
  return {
    key,
    value: value === null ? null : (jsonTextOf(value) ?? value),
    headers,
    timestamp: record.timestamp >= 0 ? record.timestamp : null,
    partition,
    size: (record.key?.length ?? 0) + (value?.length ?? 0) + headerBytes,
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
      : headerEntries(stored.headers).map((entry) => ({ key: entry.name, value: headerValueBytes(entry.value) }));
  return {
    offset: stored.offset,
    timestamp: stored.timestamp,
    key: keyBytes(stored.key),
    value: valueBytes(stored.value),
    headers,
  };
}
