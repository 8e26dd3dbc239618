/**
 * A record's key: bytes, or null for no key. Held as a string when the bytes are valid UTF-8
 * (the string's UTF-8 encoding is exactly those bytes), else as the bytes themselves: the
 * common text key costs nothing extra, and any other key is kept byte for byte.
 */
export type RecordKey = string | Buffer | null;

/**
 * A record's value: the JSON text of a `value` (its bytes are that text's UTF-8), the raw
 * bytes of a `valueBase64` or of a Kafka value that is not JSON, or null: a tombstone (Kafka's
 * null value), distinct from the JSON value `null` (the text "null") and from empty bytes.
 */
export type RecordValue = string | Buffer | null;

/**
 * A record's headers as stored (see record-headers.ts): null when there are none; a JSON
 * object of strings when the headers are distinct names with UTF-8 values (the common case,
 * the HTTP `headers` shape); else a JSON array of `{name, value}` / `{name, valueBase64}` /
 * `{name, value: null}` entries, in order, repeats kept (the HTTP `headerList` shape).
 */
export type StoredHeaders = string | null;

/** A validated record on its way into the log. */
export interface AppendRecord {
  key: RecordKey;
  value: RecordValue;
  headers: StoredHeaders;
  /** The producer's timestamp, else null: the broker stamps it at append. */
  timestamp: number | null;
  /** The producer's explicit partition, else null. */
  partition: number | null;
  /** Bytes of key, value and headers. */
  size: number;
  /** When to append it (epoch ms): the record is scheduled, not appended now. */
  deliverAt?: number;
  /** Append it this many ms from now: the record is scheduled, not appended now. */
  delayMs?: number;
  /** A second record with this key within the topic's window is not appended again. */
  idempotencyKey?: string;
}

/** A record as stored: what a read returns before it is put on the wire. */
export interface StoredRecord {
  offset: number;
  timestamp: number;
  key: RecordKey;
  value: RecordValue;
  headers: StoredHeaders;
  size: number;
}

/** The bytes of a key, or null. */
export function keyBytes(key: RecordKey): Buffer | null {
  return key === null ? null : typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
}

/** How many bytes a key holds. */
export function keySize(key: RecordKey): number {
  return key === null ? 0 : typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.length;
}

/** The bytes of a value, or null for a tombstone. */
export function valueBytes(value: RecordValue): Buffer | null {
  return value === null ? null : typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** How many bytes a value holds (a tombstone none). */
export function valueSize(value: RecordValue): number {
  return value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}
