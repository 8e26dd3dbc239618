import {
  fieldsOf,
  type JsonValue,
  MAX_DELAY_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_TIMESTAMP,
  ProduceRecord,
  RecordHeaderEntry,
  type WireRecord,
} from '@shoal/protocol';
import { InvalidRecordError, RecordTooLargeError } from '../../platform/errors/index.js';
import { ATTEMPTS_HEADER, MAX_ATTEMPTS } from './record-attempts.js';
import { bytesOrText, type HeaderEntry, headersView, storeHeaders } from './record-headers.js';
import { type AppendRecord, keySize, type RecordKey, type RecordValue, type StoredRecord } from './record.js';

/** A produced record's fields: the protocol's ProduceRecord. */
const ALLOWED_FIELDS = fieldsOf(ProduceRecord);
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Checks one produced record and turns it into bytes for the log. Hand-written rather than
 * class-validator: a 10,000-record batch must not spend its time in reflection. `valueText`,
 * when given, is `JSON.stringify(value)` already at hand (cut from the request's text).
 */
export function encodeRecord(input: unknown, index: number, maxRecordBytes: number, valueText?: string): AppendRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRecordError(index, 'must be an object');
  }
  const record = input as Record<string, unknown>;
  for (const field in record) {
    if (!ALLOWED_FIELDS.has(field)) throw new InvalidRecordError(index, `unknown field ${JSON.stringify(field)}`);
  }
  const key = encodeKey(record, index);

  const hasValue = 'value' in record && record.value !== undefined;
  const hasBytes = 'valueBase64' in record && record.valueBase64 !== undefined;
  const tombstone = record.tombstone;
  if (tombstone !== undefined && typeof tombstone !== 'boolean')
    throw new InvalidRecordError(index, 'tombstone must be a boolean');
  if (Number(hasValue) + Number(hasBytes) + Number(tombstone === true) !== 1)
    throw new InvalidRecordError(index, 'needs exactly one of value, valueBase64 and tombstone: true');
  let value: RecordValue;
  let valueBytes: number;
  if (tombstone === true) {
    value = null;
    valueBytes = 0;
  } else if (hasBytes) {
    value = decodeBase64(record.valueBase64, index, 'valueBase64');
    valueBytes = value.length;
  } else {
    value = valueText ?? JSON.stringify(record.value);
    valueBytes = Buffer.byteLength(value, 'utf8');
  }

  const attempts = optionalInteger(record.attempts, index, 'attempts', MAX_ATTEMPTS, 1);
  const headers =
    record.headerList === undefined || record.headerList === null
      ? encodeHeaders(record.headers, index, attempts)
      : encodeHeaderList(record.headerList, record.headers, index, attempts);
  const partition = optionalInteger(record.partition, index, 'partition', 2 ** 31 - 1);
  const timestamp = optionalInteger(record.timestamp, index, 'timestamp', MAX_TIMESTAMP);
  const size = keySize(key) + valueBytes + headers.bytes;
  if (size > maxRecordBytes) throw new RecordTooLargeError(index, size, maxRecordBytes);
  const encoded: AppendRecord = { key, value, headers: headers.text, timestamp, partition, size };
  return withJobFields(encoded, record, index);
}

/** A record's scheduling and idempotency fields (issue 16), set on it only when given. */
function withJobFields(encoded: AppendRecord, record: Record<string, unknown>, index: number): AppendRecord {
  const deliverAt = optionalInteger(record.deliverAt, index, 'deliverAt', MAX_TIMESTAMP);
  const delayMs = optionalInteger(record.delayMs, index, 'delayMs', MAX_DELAY_MS);
  if (deliverAt !== null && delayMs !== null)
    throw new InvalidRecordError(index, 'takes deliverAt or delayMs, not both');
  if (deliverAt !== null) encoded.deliverAt = deliverAt;
  if (delayMs !== null) encoded.delayMs = delayMs;
  const key = record.idempotencyKey;
  if (key !== undefined && key !== null) {
    if (typeof key !== 'string' || key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || key.includes('\u0000'))
      throw new InvalidRecordError(
        index,
        `idempotencyKey must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
      );
    encoded.idempotencyKey = key;
  }
  return encoded;
}

function decodeBase64(text: unknown, index: number, field: string): Buffer {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !PADDED_BASE64.test(text)) {
    throw new InvalidRecordError(index, `${field} must be padded base64`);
  }
  return Buffer.from(text, 'base64');
}

/** `key` (text) or `keyBase64` (any bytes; kept as text when they are UTF-8). */
function encodeKey(record: Record<string, unknown>, index: number): RecordKey {
  const key = record.key ?? null;
  if (key !== null && typeof key !== 'string') throw new InvalidRecordError(index, 'key must be a string or null');
  if (record.keyBase64 === undefined || record.keyBase64 === null) return key;
  if (key !== null) throw new InvalidRecordError(index, 'takes key or keyBase64, not both');
  return bytesOrText(decodeBase64(record.keyBase64, index, 'keyBase64'));
}

const HEADER_ENTRY_FIELDS = fieldsOf(RecordHeaderEntry);

/** `headerList`: `[{name, value | valueBase64}]`, in order, repeats kept. */
function encodeHeaderList(
  list: unknown,
  headers: unknown,
  index: number,
  attempts: number | null,
): { text: string | null; bytes: number } {
  if (headers !== undefined && headers !== null)
    throw new InvalidRecordError(index, 'takes headers or headerList, not both');
  if (!Array.isArray(list)) throw new InvalidRecordError(index, 'headerList must be an array');
  const entries: HeaderEntry[] = [];
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    const where = `headerList[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new InvalidRecordError(index, `${where} must be an object`);
    const fields = entry as Record<string, unknown>;
    for (const field in fields) {
      if (!HEADER_ENTRY_FIELDS.has(field))
        throw new InvalidRecordError(index, `${where}: unknown field ${JSON.stringify(field)}`);
    }
    if (typeof fields.name !== 'string') throw new InvalidRecordError(index, `${where}.name must be a string`);
    const hasText = fields.value !== undefined;
    const hasBytes = fields.valueBase64 !== undefined;
    if (hasText && hasBytes) throw new InvalidRecordError(index, `${where} takes value or valueBase64, not both`);
    if (hasBytes) {
      entries.push({
        name: fields.name,
        value: bytesOrText(decodeBase64(fields.valueBase64, index, `${where}.valueBase64`)),
      });
    } else {
      const value = fields.value ?? null;
      if (value !== null && typeof value !== 'string')
        throw new InvalidRecordError(index, `${where}.value must be a string or null`);
      entries.push({ name: fields.name, value });
    }
  }
  if (attempts === null) return storeHeaders(entries);
  return storeHeaders([
    ...entries.filter((entry) => entry.name !== ATTEMPTS_HEADER),
    { name: ATTEMPTS_HEADER, value: String(attempts) },
  ]);
}

/** The headers as JSON text; `attempts`, when given, as the `shoal.attempts` header (replacing one given). */
function encodeHeaders(input: unknown, index: number, attempts: number | null): { text: string | null; bytes: number } {
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input)))
    throw new InvalidRecordError(index, 'headers must be an object');
  const headers =
    attempts === null ? input : { ...(input as object | null | undefined), [ATTEMPTS_HEADER]: String(attempts) };
  if (headers === undefined || headers === null) return { text: null, bytes: 0 };
  let bytes = 0;
  let count = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string')
      throw new InvalidRecordError(index, `header ${JSON.stringify(name)} must be a string`);
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8');
    count++;
  }
  return count === 0 ? { text: null, bytes: 0 } : { text: JSON.stringify(headers), bytes };
}

function optionalInteger(value: unknown, index: number, field: string, max: number, min = 0): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidRecordError(index, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * A stored record as it goes on the wire, in the form it was produced in: `key`, or
 * `keyBase64` (and no `key`) for a key that is not UTF-8; `value`, `valueBase64` or
 * `tombstone: true`; `headers`, plus `headerList` when the object cannot say them all.
 */
export function decodeRecord(topic: string, partition: number, stored: StoredRecord): WireRecord {
  const wire = { topic, partition, offset: stored.offset, timestamp: stored.timestamp } as WireRecord;
  if (stored.key === null || typeof stored.key === 'string') wire.key = stored.key;
  else wire.keyBase64 = stored.key.toString('base64');
  const view = headersView(stored.headers);
  wire.headers = view.headers;
  if (view.headerList !== undefined) wire.headerList = view.headerList;
  if (stored.value === null) wire.tombstone = true;
  else if (typeof stored.value === 'string') wire.value = JSON.parse(stored.value) as JsonValue;
  else wire.valueBase64 = stored.value.toString('base64');
  return wire;
}
