import fc from 'fast-check';
import type { AcquiredRecord } from '@shoal/protocol';
import { decodeRecord } from '../../src/log/domain/record-codec.js';
import { acquiredRecordOf, acquiredRecordsJson } from '../../src/share-groups/http/acquired-records.json.js';
import type { StoredRecord } from '../../src/log/domain/record.js';
import { storeHeaders } from '../../src/log/domain/record-headers.js';

/** What the record was before values were kept as stored text: parsed, then spread. */
function eager(topic: string, partition: number, stored: StoredRecord, deliveryCount: number, lockExpiresAt: number) {
  const record: AcquiredRecord = { ...decodeRecord(topic, partition, stored), deliveryCount, lockExpiresAt };
  const attempts = record.headers['shoal.attempts'];
  // A record's own delivery cap (issue 27): a whole number from 1, else no cap.
  if (attempts !== undefined && /^[1-9][0-9]*$/.test(attempts) && attempts.length < 16)
    record.attempts = Number(attempts);
  return record;
}

const storedRecord = fc.record({
  offset: fc.nat(),
  timestamp: fc.nat(),
  key: fc.option(fc.oneof(fc.string({ unit: 'binary' }), fc.constant(Buffer.from([0xff, 0x00]))), { nil: null }),
  value: fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes)),
    fc.constant(null),
  ),
  headers: fc.option(
    fc.oneof(
      fc
        .tuple(
          fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), { minKeys: 1 }),
          fc.option(fc.oneof(fc.integer({ min: 0, max: 1000 }).map(String), fc.string({ unit: 'binary' }))),
        )
        .map(([h, attempts]) => JSON.stringify(attempts === null ? h : { ...h, 'shoal.attempts': attempts })),
      fc
        .array(
          fc.record({
            name: fc.oneof(fc.string(), fc.constant('shoal.attempts')),
            value: fc.option(
              fc.oneof(
                fc.string(),
                fc.integer({ min: 1, max: 1000 }).map(String),
                fc.constant(Buffer.from([0xc3, 0x28])),
              ),
              { nil: null },
            ),
          }),
          { minLength: 1, maxLength: 4 },
        )
        .map((entries) => storeHeaders(entries).text!),
    ),
    { nil: null },
  ),
  size: fc.nat(),
});

/** A stored record as the share fetch answers it, before a door encodes it. */
const acquired = (topic: string, stored: StoredRecord, deliveryCount: number, lockExpiresAt: number) => ({
  topic,
  partition: 3,
  ...stored,
  deliveryCount,
  lockExpiresAt,
});

describe(acquiredRecordsJson.name, () => {
  it('writes exactly what JSON.stringify writes for the same records parsed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(storedRecord, fc.nat(), fc.nat()), { maxLength: 8 }),
        fc.string({ unit: 'binary' }),
        (rows, topic) => {
          const records = rows.map(([stored, count, lock]) => acquired(topic, stored, count, lock));
          const parsed = rows.map(([stored, count, lock]) => eager(topic, 3, stored, count, lock));
          expect(acquiredRecordsJson(records)).toBe(JSON.stringify(parsed));
          expect(records.map(acquiredRecordOf)).toEqual(parsed);
        },
      ),
    );
  });

  it('writes a stored JSON value and headers object as their stored text', () => {
    const stored: StoredRecord = {
      offset: 4,
      timestamp: 9,
      key: 'k',
      value: '{ "a": 1 }',
      headers: '{"h":"v","shoal.attempts":"2"}',
      size: 10,
    };
    expect(acquiredRecordsJson([acquired('jobs', stored, 2, 100)])).toBe(
      '[{"topic":"jobs","partition":3,"offset":4,"timestamp":9,"key":"k","headers":{"h":"v","shoal.attempts":"2"},' +
        '"value":{ "a": 1 },"deliveryCount":2,"lockExpiresAt":100,"attempts":2}]',
    );
  });
});
