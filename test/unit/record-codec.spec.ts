import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from '../../src/platform/errors/index.js';
import { decodeRecord, encodeRecord } from '../../src/log/domain/record-codec.js';
import { attemptsOf } from '../../src/log/domain/record-attempts.js';
import { parseProduceBody } from '../../src/log/http/produce.dto.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ShoalError ? error.code : 'not a ShoalError';
  }
  return undefined;
}

describe('record codec', () => {
  it('round-trips a JSON value deep-equal', () => {
    const value = { a: [1, 2.5, 'x', null, true], b: { c: 'ü' } };
    const encoded = encodeRecord({ key: 'k', value, headers: { h: 'v' }, timestamp: 5 }, 0, 1024);
    expect(typeof encoded.value).toBe('string');
    const wire = decodeRecord('t', 0, {
      offset: 3,
      timestamp: 5,
      key: 'k',
      value: encoded.value,
      headers: encoded.headers,
      size: encoded.size,
    });
    expect(wire).toEqual({ topic: 't', partition: 0, offset: 3, timestamp: 5, key: 'k', value, headers: { h: 'v' } });
  });

  it('round-trips raw bytes exactly', () => {
    const bytes = Buffer.from([0, 255, 1, 128, 10, 13]);
    const encoded = encodeRecord({ valueBase64: bytes.toString('base64') }, 0, 1024);
    expect(Buffer.isBuffer(encoded.value) && encoded.value.equals(bytes)).toBe(true);
    const wire = decodeRecord('t', 1, {
      offset: 0,
      timestamp: 1,
      key: null,
      value: encoded.value,
      headers: null,
      size: encoded.size,
    });
    expect(wire.valueBase64).toBe(bytes.toString('base64'));
    expect(wire.value).toBeUndefined();
    expect(wire.headers).toEqual({});
  });

  it('counts key, value and header bytes as the record size', () => {
    const encoded = encodeRecord({ key: 'ké', value: 'ab', headers: { x: 'yz' } }, 0, 1024);
    expect(encoded.size).toBe(3 + 4 + 3);
  });

  it('keeps a JSON null value', () => {
    expect(encodeRecord({ value: null }, 0, 10).value).toBe('null');
  });

  it.each([
    ['a non-object', 5],
    ['both values', { value: 1, valueBase64: 'AA==' }],
    ['no value', { key: 'k' }],
    ['unpadded base64', { valueBase64: 'AAE' }],
    ['bad base64 characters', { valueBase64: 'A*==' }],
    ['a numeric key', { key: 5, value: 1 }],
    ['a non-string header', { value: 1, headers: { a: 1 } }],
    ['array headers', { value: 1, headers: ['a'] }],
    ['a negative partition', { value: 1, partition: -1 }],
    ['a fractional timestamp', { value: 1, timestamp: 1.5 }],
    ['an unknown field', { value: 1, topic: 'x' }],
  ])('rejects %s with INVALID_RECORD', (_name, record) => {
    expect(codeOf(() => encodeRecord(record, 0, 1024))).toBe(ErrorCode.InvalidRecord);
  });

  it('rejects a record over the size limit with RECORD_TOO_LARGE', () => {
    expect(codeOf(() => encodeRecord({ value: 'x'.repeat(100) }, 0, 50))).toBe(ErrorCode.RecordTooLarge);
  });

  it('names the index of the bad record', () => {
    expect(() => parseProduceBody({ records: [{ value: 1 }, { value: 2 }, { nope: 1 }] }, 1024)).toThrow('records[2]');
  });

  it.each([
    ['no records', { records: [] }],
    ['records not an array', { records: {} }],
    ['too many records', { records: Array.from({ length: 10_001 }, () => ({ value: 1 })) }],
    ['an unknown top-level field', { records: [{ value: 1 }], extra: true }],
    ['a non-object body', [1]],
  ])('rejects a body with %s as INVALID_REQUEST', (_name, body) => {
    expect(codeOf(() => parseProduceBody(body, 1024))).toBe(ErrorCode.InvalidRequest);
  });
});

describe(`${encodeRecord.name} job fields`, () => {
  it('keeps deliverAt, delayMs and idempotencyKey, and refuses both times or a bad key', () => {
    expect(encodeRecord({ value: 1, delayMs: 5, idempotencyKey: 'k' }, 0, 1_000)).toMatchObject({
      delayMs: 5,
      idempotencyKey: 'k',
    });
    expect(encodeRecord({ value: 1, deliverAt: 7 }, 0, 1_000).deliverAt).toBe(7);
    expect(encodeRecord({ value: 1 }, 0, 1_000)).not.toHaveProperty('delayMs');
    for (const bad of [
      { value: 1, delayMs: 1, deliverAt: 1 },
      { value: 1, delayMs: -1 },
      { value: 1, idempotencyKey: '' },
      { value: 1, idempotencyKey: 'a\u0000b' },
      { value: 1, idempotencyKey: 'x'.repeat(257) },
    ])
      expect(() => encodeRecord(bad, 3, 1_000)).toThrow(expect.objectContaining({ code: 'INVALID_RECORD' }));
  });
});

describe(`${encodeRecord.name} attempts`, () => {
  it('writes attempts as the last shoal.attempts header in either header form, replacing one given', () => {
    const object = encodeRecord({ value: 1, headers: { a: '1', 'shoal.attempts': '9' }, attempts: 2 }, 0, 1_000);
    expect(attemptsOf(object.headers)).toBe(2);
    const list = encodeRecord(
      {
        value: 1,
        headerList: [
          { name: 'trace', value: 'a' },
          { name: 'shoal.attempts', value: '9' },
          { name: 'trace', valueBase64: Buffer.from([0xff]).toString('base64') },
        ],
        attempts: 1,
      },
      0,
      1_000,
    );
    expect(attemptsOf(list.headers)).toBe(1);
    expect(
      decodeRecord('t', 0, {
        key: list.key,
        value: list.value,
        headers: list.headers,
        offset: 0,
        timestamp: 0,
        size: 0,
      }).headerList,
    ).toEqual([
      { name: 'trace', value: 'a' },
      { name: 'trace', valueBase64: '/w==' },
      { name: 'shoal.attempts', value: '1' },
    ]);
  });
});
