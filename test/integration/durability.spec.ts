import { randomBytes } from 'node:crypto';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)('durability across a restart on %s', (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind);
  });
  afterAll(() => log.close());

  it('keeps every acknowledged record, byte for byte, after close and reopen', async () => {
    await log.topics.create('durable', 2, { retentionMs: 86_400_000 });
    const blobs = Array.from({ length: 50 }, (_, i) => randomBytes(1 + i * 37));
    const json = Array.from({ length: 50 }, (_, i) => ({ n: i, s: 'ü'.repeat(i), nested: [i, { deep: i % 2 === 0 }] }));
    const produced = [
      ...(await log.produce(
        'durable',
        blobs.map((b, i) => ({
          key: `k${i}`,
          valueBase64: b.toString('base64'),
          headers: { i: String(i) },
          partition: 0,
        })),
      )),
      ...(await log.produce(
        'durable',
        json.map((value, i) => ({ value, timestamp: 1000 + i, partition: 1 })),
      )),
    ];
    expect(produced).toHaveLength(100);

    await log.restart();

    const bytes = await log.reader.read('durable', 0, { offset: 0, maxRecords: 100, maxWaitMs: 0 });
    expect(bytes.records.map((r) => Buffer.from(r.valueBase64!, 'base64'))).toEqual(blobs);
    expect(bytes.records.map((r) => [r.key, r.headers])).toEqual(blobs.map((_, i) => [`k${i}`, { i: String(i) }]));
    const values = await log.reader.read('durable', 1, { offset: 0, maxRecords: 100, maxWaitMs: 0 });
    expect(values.records.map((r) => r.value)).toEqual(json);
    expect(values.records.map((r) => r.timestamp)).toEqual(json.map((_, i) => 1000 + i));
    expect((await log.topics.describe('durable')).config).toEqual({ retentionMs: 86_400_000, retentionBytes: null });

    // Offsets continue where they stopped; nothing is reused.
    expect(await log.produce('durable', [{ value: 'after', partition: 0 }])).toEqual([{ partition: 0, offset: 50 }]);
  });
});
