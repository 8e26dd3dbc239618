import fc from 'fast-check';
import type { AcquiredRecord, JsonValue } from '@shoal/protocol';
import { acquiredRecord, acquiredRecordsJson, decodeRecord, storedJsonOf } from '../../src/log/domain/record-codec.js';
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

describe(acquiredRecordsJson.name, () => {
  it('writes exactly what JSON.stringify writes for the same records parsed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(storedRecord, fc.nat(), fc.nat()), { maxLength: 8 }),
        fc.string({ unit: 'binary' }),
        (rows, topic) => {
          const lazy = rows.map(([stored, count, lock]) => acquiredRecord(topic, 3, stored, count, lock));
          const parsed = rows.map(([stored, count, lock]) => eager(topic, 3, stored, count, lock));
          expect(acquiredRecordsJson(lazy)).toBe(JSON.stringify(parsed));
          expect(JSON.stringify(lazy)).toBe(JSON.stringify(parsed));
          expect(lazy).toEqual(parsed);
        },
      ),
    );
  });

  it('writes what a record holds after its value or headers were replaced', () => {
    const stored: StoredRecord = {
      offset: 4,
      timestamp: 9,
      key: 'k',
      value: '{"a":1}',
      headers: '{"h":"v"}',
      size: 10,
    };
    const record: AcquiredRecord = acquiredRecord('jobs', 0, stored, 2, 100);
    expect(storedJsonOf(record)).toEqual({ value: '{"a":1}', headers: '{"h":"v"}' });
    record.value = { a: 2 } as JsonValue;
    expect(storedJsonOf(record)).toBeUndefined();
    record.deliveryCount = 3;
    expect(JSON.parse(acquiredRecordsJson([record]))).toEqual([
      {
        topic: 'jobs',
        partition: 0,
        offset: 4,
        timestamp: 9,
        key: 'k',
        headers: { h: 'v' },
        value: { a: 2 },
        deliveryCount: 3,
        lockExpiresAt: 100,
      },
    ]);
    const other = acquiredRecord('jobs', 0, stored, 1, 100);
    other.headers = { x: 'y' };
    expect(JSON.parse(acquiredRecordsJson([other]))[0]).toMatchObject({ headers: { x: 'y' }, value: { a: 1 } });
  });

  it('parses a value once, null included', () => {
    const record = acquiredRecord(
      'jobs',
      0,
      { offset: 0, timestamp: 0, key: null, value: 'null', headers: null, size: 4 },
      1,
      1,
    );
    expect(record.value).toBeNull();
    expect('value' in record && record.value === null).toBe(true);
    expect(record.headers).toEqual({});
    expect(record.headers).toBe(record.headers);
  });
});
