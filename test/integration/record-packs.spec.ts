import type { ProduceRecord } from '@shoal/protocol';
import { PartitionReader } from '../../src/log/partition-reader.js';
import { PackFiler } from '../../src/log/pack-filer.js';
import { PACK_MIN } from '../../src/log/storage/record-packs.store.js';
import { metricsStore } from '../../src/metrics/storage/metrics.store.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { RECORD_FORMS } from '../support/record-forms.js';
import {
  consumedRecords,
  packCount,
  sharedRecords,
  partitionRows as partitionRowsOf,
  recordsLeft,
  storedRows as storedRowsOf,
  withoutBackgroundFiling,
} from '../support/record-pack-rows.js';

/**
 * Packed appends on SQLite files: a produce of at least PACK_MIN records to a partition is
 * stored as one pack row and filed into `shoal_record` before anything reads it. Every reader
 * must see exactly what a row-by-row append stores: each topic here is compared with a
 * reference topic given the same records one produce per record (never packed).
 */
/** The broker under test: each describe opens its own. */
let log: LogContext;

/** Every record form (test/support/record-forms.ts), and a few with their own timestamps. */
const forms: ProduceRecord[] = [
  ...RECORD_FORMS,
  { value: 'own time', timestamp: 1_600_000_000_000 },
  { value: { emoji: '🐟', text: 'a\u2028b' }, key: 'ключ', timestamp: 1_800_000_000_000 },
];
const many = (count: number) => Array.from({ length: count }, (_, i) => forms[i % forms.length]);

const packs = (topic: string) => packCount(log, topic);
const storedRows = (topic: string) => storedRowsOf(log, topic);
const partitionRows = (topic: string) => partitionRowsOf(log, topic);
/** A topic given `records` in one produce, and its reference given them one produce each. */
async function pair(name: string, records: ProduceRecord[], partitions = 1, config?: object) {
  await log.topics.create(name, partitions, config);
  await log.topics.create(`${name}-ref`, partitions, config);
  const answers = await log.produce(name, records);
  for (const record of records) await log.produce(`${name}-ref`, [record]);
  return answers;
}
/** A partition's records from its start, without the topic's name. */
const read = async (topic: string, partition = 0) => {
  const answer = await log.reader.read(topic, partition, { maxRecords: 10_000, maxWaitMs: 0 });
  return { ...answer, records: answer.records.map(({ topic: _topic, ...record }) => record) };
};

describe('packed appends (SQLite)', () => {
  beforeAll(async () => {
    log = await openLogContext('sqlite', 1_700_000_000_000);
  });

  afterAll(async () => {
    await log?.close();
  });

  it('stores every record form as a row-by-row append does, and every door reads it back the same', async () => {
    const records = many(3 * PACK_MIN);
    await pair('forms', records);
    expect(await packs('forms')).toBe(1);
    expect(await packs('forms-ref')).toBe(0);
    expect(await partitionRows('forms')).toEqual(await partitionRows('forms-ref'));

    // The HTTP read (files the pack), then the columns themselves, byte for byte.
    const { records: got } = await read('forms');
    expect(got).toEqual((await read('forms-ref')).records);
    expect(got).toHaveLength(records.length);
    expect(await packs('forms')).toBe(0);
    expect(await storedRows('forms')).toEqual(await storedRows('forms-ref'));
  });

  it('serves packed records to a consumer group, a share group and the Kafka door as it does unpacked ones', async () => {
    const records = many(2 * PACK_MIN + 5);
    await pair('doors', records);
    const kafka = log.service(PartitionReader);
    // The Kafka door's read first: it files the pack.
    const kafkaRead = (topic: string) => kafka.read(topic, 0, 0, 10_000, 10 * 1024 * 1024);
    expect((await kafkaRead('doors')).records).toEqual((await kafkaRead('doors-ref')).records);

    await log.produce('doors', records);
    await log.produce('doors-ref', records.slice(0, 1)); // the reference goes row by row
    for (const record of records.slice(1)) await log.produce('doors-ref', [record]);
    expect(await packs('doors')).toBe(1);
    const consumed = (topic: string) => consumedRecords(log, topic);
    const fromConsumer = await consumed('doors');
    expect(fromConsumer).toHaveLength(2 * records.length);
    expect(fromConsumer).toEqual(await consumed('doors-ref'));

    await log.produce('doors', records);
    for (const record of records) await log.produce('doors-ref', [record]);
    expect(await packs('doors')).toBe(1);
    const shared = (topic: string) => sharedRecords(log, topic);
    const fromShare = await shared('doors');
    expect(fromShare).toHaveLength(3 * records.length);
    expect(fromShare).toEqual(await shared('doors-ref'));
    // A share fetch reads packs as they are: the pack is still there, until a read files it.
    expect(await packs('doors')).toBe(1);
    await read('doors');
    expect(await packs('doors')).toBe(0);
    expect(await storedRows('doors')).toEqual(await storedRows('doors-ref'));
  });

  it('answers dense offsets in request order across partitions, and a restarted broker files what the last one packed', async () => {
    const records = Array.from({ length: 600 }, (_, i) => ({ key: `k${i % 37}`, value: { i } }));
    await log.topics.create('dense', 3, undefined);
    const answers = await log.produce('dense', records);
    expect(await packs('dense')).toBe(3);
    await log.restart();
    expect(await packs('dense')).toBe(3);
    const byPosition = new Map<string, unknown>();
    for (const partition of [0, 1, 2]) {
      const got = (await read('dense', partition)).records;
      expect(got.map((r) => r.offset)).toEqual(got.map((_, i) => i));
      for (const r of got) byPosition.set(`${partition}:${r.offset}`, r.value);
    }
    expect(byPosition.size).toBe(records.length);
    answers.forEach(({ partition, offset }, i) => expect(byPosition.get(`${partition}:${offset}`)).toEqual({ i }));
    expect(await packs('dense')).toBe(0);
  });

  it('applies time and byte retention over packed records as over rows', async () => {
    const batch = (tag: string) => Array.from({ length: PACK_MIN }, (_, i) => ({ value: `${tag}-${i}` }));
    await withoutBackgroundFiling(log, async () => {
      await pair('aged', batch('old'), 1, { retentionMs: 10_000 });
      log.clock.advance(20_000);
      await log.produce('aged', batch('new'));
      for (const record of batch('new')) await log.produce('aged-ref', [record]);
      expect(await packs('aged')).toBeGreaterThanOrEqual(1); // a filing step begun before the pause may have filed one
      const deleted = await log.retention.sweep(log.clock.now());
      expect(deleted).toBe(2 * PACK_MIN);
      expect(await partitionRows('aged')).toEqual(await partitionRows('aged-ref'));
      expect((await read('aged')).records.map((r) => r.value)).toEqual(batch('new').map((r) => r.value));
    });

    await pair('sized', many(PACK_MIN * 2), 1, { retentionBytes: 2_000 });
    await log.retention.sweep(log.clock.now());
    const [window] = await partitionRows('sized');
    expect(window).toEqual((await partitionRows('sized-ref'))[0]);
    expect(Number((window as { start_offset: number }).start_offset)).toBeGreaterThan(0);
    expect(await storedRows('sized')).toEqual(await storedRows('sized-ref'));
  });

  it('removes a deleted topic’s packs with its records', async () => {
    await log.topics.create('doomed', 2, undefined);
    await log.produce('doomed', many(4 * PACK_MIN));
    await log.produce('doomed', [{ value: 'small' }]);
    const id = (
      await log.database.run((sql) => sql.rows<{ id: number }>("SELECT id FROM shoal_topic WHERE name = 'doomed'"))
    )[0].id;
    await log.topics.delete('doomed');
    await log.purger.sweep();
    expect(await recordsLeft(log, id)).toBe(0);
  });

  it('gives the metrics the timestamps of packed records from the packs as they are, filing nothing', async () => {
    // Each record its own timestamp, so that a wrong offset reads a wrong one.
    const records = Array.from({ length: 2 * PACK_MIN }, (_, i) => ({
      value: { i },
      timestamp: 1_650_000_000_000 + i,
    }));
    await pair('gauges', records);
    for (const topic of ['gauges', 'gauges-ref']) {
      const { memberId, generation } = await log.groups.join(`c-${topic}`, { topics: [topic] });
      await log.groups.commit(`c-${topic}`, memberId, generation, [{ topic, partition: 0, offset: 77 }]);
      // One share group's window opened by a fetch (it reads the pack as it is), one not opened.
      for (const group of [`s-${topic}`, `t-${topic}`]) {
        await log.shares.updateConfig(group, { autoOffsetReset: 'earliest' });
        await log.shares.join(group, { topics: [topic] });
      }
      const { memberId: sharer } = await log.shares.join(`s-${topic}`, { topics: [topic] });
      await log.shareFetch.fetch(`s-${topic}`, sharer, { maxRecords: 1, maxWaitMs: 0, acks: [] });
    }
    const [consumers, windows] = await log.database.run(async (sql) => [
      await metricsStore.consumerPositions(sql),
      await metricsStore.shareWindows(sql),
    ]);
    const of = <T extends { topic: string; group: string }>(rows: T[], topic: string) =>
      rows
        .filter((row) => row.topic === topic)
        .map(({ topic: _topic, group, ...row }) => ({ ...row, group: group.replace(`-${topic}`, '') }))
        .sort((a, b) => a.group.localeCompare(b.group));
    expect(of(consumers, 'gauges')).toEqual(of(consumers, 'gauges-ref'));
    expect(of(consumers, 'gauges')).toMatchObject([{ nextOffset: 77, nextTimestamp: 1_650_000_000_077 }]);
    expect(of(windows, 'gauges')).toEqual(of(windows, 'gauges-ref'));
    expect(of(windows, 'gauges')).toMatchObject([
      { group: 's', startTimestamp: 1_650_000_000_000, acquired: 1 },
      { group: 't', startTimestamp: 1_650_000_000_000, acquired: 0 },
    ]);
    expect(await packs('gauges')).toBe(1);
  });

  it('files packs in the background once no produce came and no share fetch read packs for a while, and not before', async () => {
    // Explicit partitions: keyless records are spread by request, so the reference's would differ.
    await pair(
      'idle',
      many(4 * PACK_MIN).map((record, i) => ({ ...record, partition: i % 2 })),
      2,
    );
    const filer = log.service(PackFiler);
    const packed = await packs('idle');
    expect(packed).toBeGreaterThan(0);
    expect(await filer.fileWhileIdle()).toBe(0); // a produce just ran (the clock has not moved)
    expect(await packs('idle')).toBe(packed);
    log.clock.advance(1_000);
    // A share fetch reading the packs makes the broker busy again.
    await log.shares.updateConfig('s-idle', { autoOffsetReset: 'earliest' });
    const { memberId } = await log.shares.join('s-idle', { topics: ['idle'] });
    const fetched = await log.shareFetch.fetch('s-idle', memberId, { maxRecords: 10, maxWaitMs: 0, acks: [] });
    expect(fetched.records).toHaveLength(10);
    expect(await filer.fileWhileIdle()).toBe(0);
    expect(await packs('idle')).toBe(packed);
    log.clock.advance(1_000);
    // One pack per step (its timer may have filed some meanwhile).
    while ((await filer.fileWhileIdle()) > 0);
    expect(await packs('idle')).toBe(0);
    expect(await storedRows('idle')).toEqual(await storedRows('idle-ref'));
  });
});

describe('packed appends through the SQLite thread (SHOAL_SQLITE_THREAD=on)', () => {
  let storage: TestStorage;

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    log = await openLogContext('sqlite', 1_700_000_000_000, {
      ...storage,
      storage: { ...storage.storage, sqliteThread: true },
    });
  });

  afterAll(async () => {
    await log?.close();
    await storage?.dispose();
  });

  it('stores and files every record form as the event-loop connection does', async () => {
    await pair('forms', many(2 * PACK_MIN));
    expect(await packs('forms')).toBe(1);
    expect((await read('forms')).records).toEqual((await read('forms-ref')).records);
    expect(await packs('forms')).toBe(0);
    expect(await storedRows('forms')).toEqual(await storedRows('forms-ref'));
  });
});
