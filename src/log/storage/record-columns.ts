import type { RecordKey, RecordValue, StoredRecord } from '../domain/record.js';
import { bytesOrText } from '../domain/record-headers.js';

export interface StoredRow {
  record_offset: number;
  timestamp: number;
  record_key: string | null;
  key_bytes: Buffer | Uint8Array | null;
  value_json: string | null;
  value_bytes: Buffer | Uint8Array | null;
  headers: string | null;
  size: number;
}

/** The columns a record is read with, in {@link StoredRow}'s names. */
export const RECORD_SELECT = 'record_offset, timestamp, record_key, key_bytes, value_json, value_bytes, headers, size';

/*
 * How a key and a value are kept in columns. A key: `record_key` (text) when its bytes are
 * UTF-8 without a NUL (PostgreSQL text cannot hold one), else `key_bytes` (read back as text
 * when they are UTF-8); both null: no key. A value: `value_json` (JSON text) or `value_bytes`;
 * both null: a tombstone.
 */

export function bufferOf(bytes: Buffer | Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}

/** Whether `key` goes in `record_key` as it is (no key, or text without a NUL). */
export function isTextKey(key: RecordKey): key is string | null {
  return key === null || (typeof key === 'string' && !key.includes('\u0000'));
}

/** The bytes `key_bytes` holds for a key that is not kept as text. */
export function keyBytes(key: string | Buffer): Buffer {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
}

export function keyOfColumns(text: string | null, bytes: Buffer | Uint8Array | null): RecordKey {
  return text ?? (bytes === null ? null : bytesOrText(bufferOf(bytes)!));
}

/** A key as its two columns: [record_key, key_bytes]. */
export function keyColumns(key: RecordKey): [string | null, Buffer | null] {
  return isTextKey(key) ? [key, null] : [null, keyBytes(key)];
}

export function valueOfColumns(json: string | null, bytes: Buffer | Uint8Array | null): RecordValue {
  return json ?? bufferOf(bytes);
}

export function toStoredRecord(r: StoredRow): StoredRecord {
  return {
    offset: Number(r.record_offset),
    timestamp: Number(r.timestamp),
    key: keyOfColumns(r.record_key, r.key_bytes),
    value: valueOfColumns(r.value_json, r.value_bytes),
    headers: r.headers,
    size: Number(r.size),
  };
}
