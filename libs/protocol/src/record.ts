/** Headers of a record: string to string. */
export type RecordHeaders = Record<string, string>;

/**
 * One header of a record's `headerList`: a name and exactly one of `value` (text, or null for
 * Kafka's null header value) and `valueBase64` (bytes, padded base64). The list keeps order and
 * repeated names, which `headers` cannot.
 */
export interface RecordHeaderEntry {
  name: string;
  value?: string | null;
  valueBase64?: string;
}

/** A JSON value, as a record's `value` may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A record as a producer sends it. Exactly one of `value`, `valueBase64` and `tombstone: true`
 * is set; at most one of `key` and `keyBase64`, and of `headers` and `headerList`.
 */
export interface ProduceRecord {
  key?: string | null;
  /** A key of any bytes (padded base64), instead of `key`. */
  keyBase64?: string;
  value?: JsonValue;
  valueBase64?: string;
  /** A null value (Kafka's tombstone), distinct from the JSON value `null` and from empty bytes. */
  tombstone?: boolean;
  headers?: RecordHeaders;
  /** Headers in order, with repeated names, null values and bytes, instead of `headers`. */
  headerList?: RecordHeaderEntry[];
  partition?: number;
  timestamp?: number;
  /** Append the record at this time (ms since the epoch) instead of now: it is scheduled. */
  deliverAt?: number;
  /** Append the record this many ms from now instead of now: it is scheduled. */
  delayMs?: number;
  /**
   * Within the broker's idempotency window, a second record with this key on the same topic is
   * not appended again: the answer gives the first one's position with `duplicate: true`.
   */
  idempotencyKey?: string;
  /**
   * Deliver this record at most this many times (1 to 1,000), below its share groups' own
   * `deliveryCountLimit`: 1 runs it once, never redelivered. Stored as the `shoal.attempts` header.
   */
  attempts?: number;
}

/**
 * A record as the broker returns it; it comes back in the form it was produced in
 * (`value` for JSON, `valueBase64` for raw bytes, `tombstone: true` for a null value).
 * A key whose bytes are not UTF-8 comes as `keyBase64` (and no `key`); headers that the
 * `headers` object cannot hold exactly (repeats, null or non-UTF-8 values) also come as
 * `headerList`, with `headers` keeping only the text-valued ones (the last of a repeat).
 */
export interface WireRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key?: string | null;
  keyBase64?: string;
  value?: JsonValue;
  valueBase64?: string;
  tombstone?: true;
  headers: RecordHeaders;
  headerList?: RecordHeaderEntry[];
}

/** `POST /v1/topics/{topic}/records` body. */
export interface ProduceRequest {
  records: ProduceRecord[];
}

/** Where one produced record landed. */
export interface RecordPosition {
  partition: number;
  /** The record's offset; -1 (Kafka's "no offset") while a scheduled record waits. */
  offset: number;
  /** Set when the record carried an `idempotencyKey` already seen: nothing was appended. */
  duplicate?: true;
  /** Set for a scheduled record: its id (to list or cancel it) … */
  scheduledId?: string;
  /** … and when it will be appended (ms since the epoch). */
  deliverAt?: number;
}

/** A record waiting to be appended, as `GET /v1/topics/{topic}/scheduled-records` lists it. */
export interface ScheduledRecordView {
  id: string;
  topic: string;
  partition: number;
  deliverAt: number;
  key?: string | null;
  keyBase64?: string;
  value?: JsonValue;
  valueBase64?: string;
  tombstone?: true;
  headers: RecordHeaders;
  headerList?: RecordHeaderEntry[];
  idempotencyKey: string | null;
}

/** `GET /v1/topics/{topic}/scheduled-records` answer, soonest first. */
export interface ScheduledRecordList {
  scheduledRecords: ScheduledRecordView[];
}

/** `POST /v1/topics/{topic}/records` answer: positions in request order. */
export interface ProduceResponse {
  offsets: RecordPosition[];
}

/** `GET /v1/topics/{topic}/partitions/{p}/records` answer. */
export interface ReadResponse {
  records: WireRecord[];
  nextOffset: number;
  startOffset: number;
  endOffset: number;
}

/** `GET /v1/topics/{topic}/partitions/{p}/offsets?timestamp=` answer. */
export interface OffsetForTimestampResponse {
  offset: number;
}
