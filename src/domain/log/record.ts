/** How a record's value bytes are to be read back: the integers the database holds. */
export enum ValueFormat {
  Json = 0,
  Bytes = 1,
}

/** A validated record on its way into the log. */
export interface AppendRecord {
  key: string | null;
  value: Buffer;
  format: ValueFormat;
  /** Headers as JSON text, or null when there are none. */
  headers: string | null;
  /** The producer's timestamp, else null: the broker stamps it at append. */
  timestamp: number | null;
  /** The producer's explicit partition, else null. */
  partition: number | null;
  /** Bytes of key, value and headers. */
  size: number;
}

/** A record as stored: what a read returns before it is put on the wire. */
export interface StoredRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: Buffer;
  format: ValueFormat;
  headers: string | null;
  size: number;
}
