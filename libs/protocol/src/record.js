import { MAX_ATTEMPTS, MAX_DELAY_MS, DEFAULT_FETCH_RECORDS, MAX_FETCH_RECORDS, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_RECORDS_PER_PRODUCE, MAX_SAFE, MAX_TIMESTAMP, MAX_WAIT_MS, } from './limits.js';
import { defaulted, named, nullable, optional, s } from './schema.js';
const int = s.integer({ minimum: 0 });
/** Headers of a record: string to string. */
export const RecordHeaders = s.map(s.string());
/**
 * One header of a record's `headerList`: a name and exactly one of `value` (text, or null for
 * Kafka's null header value) and `valueBase64` (bytes, padded base64). The list keeps order and
 * repeated names, which `headers` cannot.
 */
export const RecordHeaderEntry = s.object({
    name: s.string(),
    value: optional(nullable(s.string(), { description: 'the value as text; null for a null header value' })),
    valueBase64: optional(s.string({ description: 'the value as bytes, padded base64' })),
});
const headerList = s.array(RecordHeaderEntry, {
    description: 'every header in order, repeats kept, with exactly one of value and valueBase64 each',
});
const tombstone = 'a null value (Kafka’s tombstone), distinct from the JSON value null and from empty bytes';
/**
 * A record as a producer sends it. Exactly one of `value`, `valueBase64` and `tombstone: true`
 * is set; at most one of `key` and `keyBase64`, and of `headers` and `headerList`. Checked by
 * hand on the broker (`encodeRecord`, the produce hot path), which takes its fields from here.
 */
export const ProduceRecord = s.object({
    key: optional(nullable(s.string())),
    keyBase64: optional(s.string({ description: 'a key of any bytes, padded base64 (instead of key)' })),
    value: optional(s.any({ description: 'a JSON value' })),
    valueBase64: optional(s.string({ description: 'raw bytes, padded base64' })),
    tombstone: optional(s.boolean({ description: `true: ${tombstone}` })),
    headers: optional(RecordHeaders, { skipNull: true }),
    headerList: optional(headerList, { skipNull: true }),
    partition: optional(s.integer({ minimum: 0, maximum: 2 ** 31 - 1 }), { skipNull: true }),
    timestamp: optional(s.integer({ minimum: 0, maximum: MAX_TIMESTAMP }), { skipNull: true }),
    deliverAt: optional(s.integer({ minimum: 0, maximum: MAX_TIMESTAMP }), {
        skipNull: true,
        description: 'append at this time (ms since the epoch): the record is scheduled',
    }),
    delayMs: optional(s.integer({ minimum: 0, maximum: MAX_DELAY_MS }), {
        skipNull: true,
        description: 'append this many ms from now: the record is scheduled',
    }),
    idempotencyKey: optional(s.string({
        minLength: 1,
        maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
        description: "within the topic's window, a second record with this key is not appended",
    }), { skipNull: true }),
    attempts: optional(s.integer({ minimum: 1, maximum: MAX_ATTEMPTS }), {
        skipNull: true,
        description: 'deliver at most this many times (the shoal.attempts header): 1 runs it once',
    }),
});
/** The fields a stored record comes back with, besides where it is. */
const recordBody = {
    key: optional(nullable(s.string()), { description: 'absent when the key is not UTF-8: keyBase64 holds it' }),
    keyBase64: optional(s.string({ description: 'the key as bytes, only when they are not UTF-8' })),
    value: optional(s.any({ description: 'a JSON value (records produced with value)' })),
    valueBase64: optional(s.string({ description: 'raw bytes, base64 (records produced with valueBase64)' })),
    tombstone: optional(s.true({ description: tombstone })),
    headers: withDescription(RecordHeaders, 'the text-valued headers (for a repeated name the last)'),
    headerList: optional(headerList, {
        description: 'only when headers cannot hold every header exactly: all of them, in order',
    }),
};
function withDescription(schema, description) {
    return { ...schema, description };
}
/**
 * A record as the broker returns it; it comes back in the form it was produced in
 * (`value` for JSON, `valueBase64` for raw bytes, `tombstone: true` for a null value).
 * A key whose bytes are not UTF-8 comes as `keyBase64` (and no `key`); headers that the
 * `headers` object cannot hold exactly (repeats, null or non-UTF-8 values) also come as
 * `headerList`, with `headers` keeping only the text-valued ones (the last of a repeat).
 */
export const WireRecord = named('WireRecord', s.object({ topic: s.string(), partition: int, offset: int, timestamp: s.integer({ minimum: 0 }), ...recordBody }));
/** `POST /v1/topics/{topic}/records` body. */
export const ProduceRequest = named('ProduceRequest', s.object({ records: s.array(ProduceRecord, { minItems: 1, maxItems: MAX_RECORDS_PER_PRODUCE }) }));
/**
 * Records for one topic, produced in the transaction of the request that carries them (an
 * acknowledgement, an offset commit): appended if and only if that request's condition holds.
 * The records are those of the produce route, with its checks and limits.
 */
export const ProduceBatch = named('ProduceBatch', s.object({
    topic: s.string({ description: 'the topic to produce to (produce permission needed)' }),
    records: s.array(ProduceRecord, { minItems: 1, maxItems: MAX_RECORDS_PER_PRODUCE }),
}));
/** Records to produce with a request, to one or more topics. */
export const ProduceBatches = s.array(ProduceBatch, {
    maxItems: MAX_RECORDS_PER_PRODUCE,
    description: `records to produce in the same transaction, ${MAX_RECORDS_PER_PRODUCE} records at most in all`,
});
/** Where one produced record landed. */
export const RecordPosition = s.object({
    partition: int,
    offset: s.integer({ minimum: -1, description: '-1 (Kafka’s "no offset") while a scheduled record waits' }),
    duplicate: optional(s.true({ description: 'the idempotencyKey was already seen: nothing was appended' })),
    scheduledId: optional(s.string({ description: 'a scheduled record’s id (to list or cancel it)' })),
    deliverAt: optional(s.integer({ minimum: 0, description: 'when a scheduled record will be appended' })),
});
/** A record waiting to be appended, as `GET /v1/topics/{topic}/scheduled-records` lists it. */
export const ScheduledRecordView = s.object({
    id: s.string(),
    topic: s.string(),
    partition: int,
    deliverAt: int,
    ...recordBody,
    idempotencyKey: nullable(s.string()),
});
/** `GET /v1/topics/{topic}/scheduled-records` answer, soonest first. */
export const ScheduledRecordList = named('ScheduledRecordList', s.object({ scheduledRecords: s.array(ScheduledRecordView) }));
/** `POST /v1/topics/{topic}/records` answer: positions in request order. */
export const ProduceResponse = named('ProduceResponse', s.object({ offsets: s.array(RecordPosition) }));
/** `GET /v1/topics/{topic}/partitions/{p}/records` answer. */
export const ReadResponse = named('ReadResponse', s.object({ records: s.array(WireRecord), nextOffset: int, startOffset: int, endOffset: int }));
/** `GET /v1/topics/{topic}/partitions/{p}/offsets?timestamp=` answer. */
export const OffsetForTimestampResponse = named('OffsetForTimestampResponse', s.object({ offset: int }));
/** `GET /v1/topics/{topic}/partitions/{p}/records` query. */
export const ReadQuery = s.object({
    offset: optional(s.integer({ minimum: 0, maximum: MAX_SAFE, description: 'first offset to read (default: the start offset)' })),
    maxRecords: defaulted(s.integer({ minimum: 1, maximum: MAX_FETCH_RECORDS, description: 'at most this many records' }), DEFAULT_FETCH_RECORDS),
    maxBytes: optional(s.integer({ minimum: 1, maximum: MAX_SAFE, description: 'at most about this many bytes' })),
    maxWaitMs: defaulted(s.integer({ minimum: 0, maximum: MAX_WAIT_MS, description: 'wait up to this long for a record' }), 0),
});
/** `GET /v1/topics/{topic}/partitions/{p}/offsets` query. */
export const OffsetQuery = s.object({
    timestamp: s.integer({ minimum: 0, maximum: MAX_SAFE, description: 'ms since the epoch' }),
});
//# sourceMappingURL=record.js.map