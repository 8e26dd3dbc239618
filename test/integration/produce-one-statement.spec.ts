import { type LogContext, openLogContext } from '../support/log-context.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { RECORD_FORMS } from '../support/record-forms.js';

/**
 * Produce as one statement on PostgreSQL (SQLite takes the transaction it always did): records
 * are placed by the topic as this broker read it last, and the statement writes nothing when
 * that topic changed meanwhile on another broker (more partitions, deleted and made again):
 * the produce then reads it again. Two brokers on one database here.
 */
describe('produce in one statement on PostgreSQL, two brokers', () => {
  const kind = 'postgres';
  let storage: TestStorage;
  let a: LogContext;
  let b: LogContext;

  beforeAll(async () => {
    storage = await createTestStorage(kind);
    a = await openLogContext(kind, Date.now(), storage);
    b = await openLogContext(kind, Date.now(), storage);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storage?.dispose();
  });

  const values = async (log: LogContext, topic: string, partition: number) =>
    (await log.reader.read(topic, partition, { offset: 0, maxRecords: 100, maxWaitMs: 0 })).records.map((r) => r.value);

  it('places records by a topic grown on another broker, and continues the offsets another broker assigned', async () => {
    await a.topics.create('grown-elsewhere', 2, undefined);
    expect(await a.produce('grown-elsewhere', [{ value: 'a1', partition: 1 }])).toEqual([{ partition: 1, offset: 0 }]);
    expect(await a.produce('grown-elsewhere', [{ value: 'a2', partition: 1 }])).toEqual([{ partition: 1, offset: 1 }]);
    expect(await b.produce('grown-elsewhere', [{ value: 'b1', partition: 1 }])).toEqual([{ partition: 1, offset: 2 }]);
    await b.topics.update('grown-elsewhere', { partitions: 4 });
    // Broker a last read 2 partitions: its statement finds the count changed, writes nothing, and it reads again.
    expect(await a.produce('grown-elsewhere', [{ value: 'a4', partition: 1 }])).toEqual([{ partition: 1, offset: 3 }]);
    expect(await a.produce('grown-elsewhere', [{ value: 'a3', partition: 3 }])).toEqual([{ partition: 3, offset: 0 }]);
    // Keys go where the new count puts them, on both brokers alike.
    const keyed = [
      { key: 'k1', value: 1 },
      { key: 'k2', value: 2 },
      { key: 'k3', value: 3 },
    ];
    const byA = (await a.produce('grown-elsewhere', keyed)).map((p) => p.partition);
    const byB = (await b.produce('grown-elsewhere', keyed)).map((p) => p.partition);
    expect(byA).toEqual(byB);
    expect(await values(a, 'grown-elsewhere', 1)).toEqual(expect.arrayContaining(['a1', 'a2', 'b1', 'a4']));
    expect(await values(a, 'grown-elsewhere', 3)).toContain('a3');
  });

  it('appends to a topic deleted and made again on another broker from offset 0, not to the old one', async () => {
    await a.topics.create('reborn', 1, undefined);
    await a.produce('reborn', [{ value: 'old' }]);
    await a.produce('reborn', [{ value: 'older' }]);
    await b.topics.delete('reborn');
    await expect(a.produce('reborn', [{ value: 'lost' }])).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC' });
    await b.topics.create('reborn', 1, undefined);
    expect(await a.produce('reborn', [{ value: 'new' }])).toEqual([{ partition: 0, offset: 0 }]);
    expect(await values(b, 'reborn', 0)).toEqual(['new']);
  });

  it('keeps each partition dense and every record once when both brokers produce at the same time', async () => {
    await a.topics.create('both-at-once', 3, undefined);
    await a.produce('both-at-once', [{ value: 0 }]);
    await b.produce('both-at-once', [{ value: 0 }]);
    const rounds = 20;
    const batches = Array.from({ length: rounds }, (_, round) =>
      (['a', 'b'] as const).map((tag) => ({
        broker: tag === 'a' ? a : b,
        records: Array.from({ length: 7 }, (_, i) => ({
          value: `${tag}-${round}-${i}`,
          headers: { round: String(round) },
        })),
      })),
    ).flat();
    const answers = await Promise.all(batches.map(({ broker, records }) => broker.produce('both-at-once', records)));
    const stored = new Map<string, unknown>();
    for (const partition of [0, 1, 2]) {
      const read = await a.reader.read('both-at-once', partition, { offset: 0, maxRecords: 1000, maxWaitMs: 0 });
      // Dense offsets from 0.
      expect(read.records.map((r) => r.offset)).toEqual(read.records.map((_, i) => i));
      for (const record of read.records) stored.set(`${partition}:${record.offset}`, record.value);
    }
    expect(stored.size).toBe(2 + 2 * rounds * 7);
    // Every record answered at the position it is stored at.
    batches.forEach(({ records }, i) =>
      records.forEach((record, r) => {
        const { partition, offset } = answers[i][r];
        expect(stored.get(`${partition}:${offset}`)).toBe(record.value);
      }),
    );
  });

  it('stores every record form byte for byte, as the transaction path does: binary, NUL keys, tombstones, null, repeated headers', async () => {
    const forms = RECORD_FORMS;
    const stored = async (log: LogContext, topic: string) =>
      (await log.reader.read(topic, 0, { offset: 0, maxRecords: 100, maxWaitMs: 0 })).records.map(
        ({ offset: _offset, timestamp: _timestamp, ...record }) => record,
      );
    await a.topics.create('forms', 1, undefined);
    await a.produce('forms', [{ value: 'warm' }]); // read once: the next produce is one statement
    await a.produce('forms', forms);
    const sqlite = await createTestStorage('sqlite');
    const reference = await openLogContext('sqlite', Date.now(), sqlite);
    try {
      await reference.topics.create('forms', 1, undefined);
      await reference.produce('forms', [{ value: 'warm' }]);
      await reference.produce('forms', forms);
      const expected = await stored(reference, 'forms');
      expect(expected).toHaveLength(forms.length + 1);
      expect(await stored(a, 'forms')).toEqual(expected);
      expect(await stored(b, 'forms')).toEqual(expected);
    } finally {
      await reference.close();
      await sqlite.dispose();
    }
  });
});
