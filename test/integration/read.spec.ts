import { ReadService } from '../../src/log/read.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${ReadService.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind);
  });
  afterAll(() => log.close());

  it('finds the first offset at or after a timestamp, even when timestamps go backwards', async () => {
    await log.topics.create('times', 1, undefined);
    await log.produce(
      'times',
      [100, 300, 200, 500, 400].map((timestamp) => ({ value: timestamp, timestamp })),
    );
    const at = (t: number) => log.reader.offsetForTimestamp('times', 0, t).then((r) => r.offset);
    expect(await at(0)).toBe(0);
    expect(await at(100)).toBe(0);
    expect(await at(150)).toBe(1);
    expect(await at(250)).toBe(1);
    expect(await at(301)).toBe(3);
    expect(await at(450)).toBe(3);
    expect(await at(501)).toBe(5);
  });

  it('returns up to maxRecords, and stops at maxBytes but always returns the first record', async () => {
    await log.topics.create('limits', 1, undefined);
    await log.produce(
      'limits',
      Array.from({ length: 10 }, (_, i) => ({ value: 'y'.repeat(8), key: String(i) })),
    );
    const some = await log.reader.read('limits', 0, { offset: 2, maxRecords: 3, maxWaitMs: 0 });
    expect(some.records.map((r) => r.offset)).toEqual([2, 3, 4]);
    expect(some.nextOffset).toBe(5);
    // Each record is 1 (key) + 10 (value) bytes.
    const bytes = await log.reader.read('limits', 0, { offset: 0, maxRecords: 500, maxBytes: 25, maxWaitMs: 0 });
    expect(bytes.records).toHaveLength(2);
    const tiny = await log.reader.read('limits', 0, { offset: 0, maxRecords: 500, maxBytes: 1, maxWaitMs: 0 });
    expect(tiny.records).toHaveLength(1);
  });

  it('answers a long poll as soon as a record is appended', async () => {
    await log.topics.create('long-poll', 1, undefined);
    const started = Date.now();
    const waiting = log.reader.read('long-poll', 0, { offset: 0, maxRecords: 10, maxWaitMs: 20_000 });
    await new Promise((resolve) => setImmediate(resolve));
    await log.produce('long-poll', [{ value: 'wake' }]);
    const answer = await waiting;
    expect(answer.records.map((r) => r.value)).toEqual(['wake']);
    // Woken by the append, not by the end of its 20 s wait.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers an empty long poll when its wait runs out', async () => {
    await log.topics.create('quiet', 1, undefined);
    const answer = await log.reader.read('quiet', 0, { offset: 0, maxRecords: 10, maxWaitMs: 50 });
    expect(answer).toEqual({ records: [], nextOffset: 0, startOffset: 0, endOffset: 0 });
  });
});
