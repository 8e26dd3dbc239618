import type { AcquiredRecord } from '@shoal/protocol';
import { decodeRecord } from '../../log/domain/record-codec.js';
import { isHeaderList } from '../../log/domain/record-headers.js';
import type { AcquiredStoredRecord } from '../domain/acquired-record.js';
import { attemptsOf } from '../../log/domain/record-attempts.js';

/** An acquired record as the HTTP API answers it (`AcquiredRecord`): `decodeRecord`'s form, its delivery and attempts. */
export function acquiredRecordOf(record: AcquiredStoredRecord): AcquiredRecord {
  const wire: AcquiredRecord = {
    ...decodeRecord(record.topic, record.partition, record),
    deliveryCount: record.deliveryCount,
    lockExpiresAt: record.lockExpiresAt,
  };
  const attempts = attemptsOf(record.headers);
  if (attempts !== undefined) wire.attempts = attempts;
  return wire;
}

/**
 * The JSON array of `records` as the HTTP share fetch answers them: exactly what
 * `JSON.stringify` writes of {@link acquiredRecordOf} each, with a JSON value and headers
 * object written out as the text they were stored as, never parsed and re-serialized.
 */
export function acquiredRecordsJson(records: readonly AcquiredStoredRecord[]): string {
  let json = '[';
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (i > 0) json += ',';
    const { key, value, headers } = record;
    if (typeof value !== 'string' || (key !== null && typeof key !== 'string') || isHeaderList(headers)) {
      json += JSON.stringify(acquiredRecordOf(record));
      continue;
    }
    const attempts = attemptsOf(headers);
    json +=
      `{"topic":${JSON.stringify(record.topic)},"partition":${record.partition},"offset":${record.offset},` +
      `"timestamp":${record.timestamp},"key":${key === null ? 'null' : JSON.stringify(key)},` +
      `"headers":${headers ?? '{}'},"value":${value},` +
      `"deliveryCount":${record.deliveryCount},"lockExpiresAt":${record.lockExpiresAt}` +
      (attempts === undefined ? '}' : `,"attempts":${attempts}}`);
  }
  return json + ']';
}
