/**
 * A record's value: the JSON text of a `value`, or the raw bytes of a `valueBase64`. The
 * type says which, and so which form the record goes back in.
 */
export type RecordValue = string | Buffer;

/** A validated record on its way into the log. */
export interface AppendRecord {
  key: string | null;
  value: RecordValue;
  /** Headers as JSON text, or null when there are none. */
  headers: string | null;
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
  key: string | null;
  value: RecordValue;
  headers: string | null;
  size: number;
}
