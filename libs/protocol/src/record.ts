/** Headers of a record: string to string. */
export type RecordHeaders = Record<string, string>;

/** A JSON value, as a record's `value` may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A record as a producer sends it. Exactly one of `value` and `valueBase64` is set.
 */
export interface ProduceRecord {
  key?: string | null;
  value?: JsonValue;
  valueBase64?: string;
  headers?: RecordHeaders;
  partition?: number;
  timestamp?: number;
}

/**
 * A record as the broker returns it; it comes back in the form it was produced in
 * (`value` for JSON, `valueBase64` for raw bytes).
 */
export interface WireRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value?: JsonValue;
  valueBase64?: string;
  headers: RecordHeaders;
}

/** `POST /v1/topics/{topic}/records` body. */
export interface ProduceRequest {
  records: ProduceRecord[];
}

/** Where one produced record landed. */
export interface RecordPosition {
  partition: number;
  offset: number;
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
