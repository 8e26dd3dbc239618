import { jest } from '@jest/globals';
import type { ProduceRecord } from '@shoal/protocol';
import { PartitionReader } from '../../src/log/partition-reader.js';
import { PackFiler } from '../../src/log/pack-filer.js';
import { logStore } from '../../src/log/storage/log.store.js';
import { PACK_MIN, type PackRow, recordPacks } from '../../src/log/storage/record-packs.store.js';
import { metricsStore } from '../../src/metrics/storage/metrics.store.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { until } from '../support/until.js';
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
 * Packed appends on PostgreSQL: the one-statement append (a topic this broker has read, records
 * it stamps) stores a partition's records as one pack; every reader, on this broker or another
 * on the same database, sees exactly what a row-by-row append stores. Each topic is compared with
 * a reference given the same records one produce per record (never packed).
 */
let storage: TestStorage;
let log: LogContext;
/** A second broker on the same database. */
let other: LogContext;

const many = (count: number) => Array.from({ length: count }, (_, i) => RECORD_FORMS[i % RECORD_FORMS.length]);
const topicId = async (topic: string) =>
  Number(
    (
      await log.database.run((sql) => sql.rows<{ id: number }>('SELECT id FROM shoal_topic WHERE name = $1', [topic]))
    )[0].id,
  );
const packs = (topic: string) => packCount(log, topic);
const storedRows = (topic: string) => storedRowsOf(log, topic);
const partitionRows = (topic: string) => partitionRowsOf(log, topic);
/** A topic given `records` in one produce, and its reference given them one produce each; both given a first record alone before. */
async function pair(name: string, records: ProduceRecord[], partitions = 1, config?: object) {
  for (const topic of [name, `${name}-ref`]) {
    await log.topics.create(topic, partitions, config);
    await log.produce(topic, [{ value: 'first', partition: 0 }]);
  }
  const answers = await log.produce(name, records);
  for (const record of records) await log.produce(`${name}-ref`, [record]);
  return answers;
}
const read = async (topic: string, partition = 0, on = log) => {
  const answer = await on.reader.read(topic, partition, { maxRecords: 10_000, maxWaitMs: 0 });
  return answer.records.map(({ topic: _topic, ...record }) => record);
};

describe('packed appends (PostgreSQL)', () => {
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    log = await openLogContext('postgres', 1_700_000_000_000, storage);
    other = await openLogContext('postgres', 1_700_000_000_000, storage);
    // The other broker files only what its reads (or a test) ask for: its background filer, idle
    // by its own clock, would otherwise file the packs a test is counting at any moment.
    jest.spyOn(other.service(PackFiler), 'fileWhileIdle').mockResolvedValue(0);
  });

  afterAll(async () => {
    await other?.close();
    await log?.close();
    await storage?.dispose();
  });

  it('stores every record form as a row-by-row append does, and a read files it', async () => {
    const records = many(3 * PACK_MIN).map((record) => ({ ...record, partition: 0 }));
    await pair('forms', records);
    expect(await packs('forms')).toBe(1);
    expect(await packs('forms-ref')).toBe(0);
    expect(await partitionRows('forms')).toEqual(await partitionRows('forms-ref'));
    const got = await read('forms');
    expect(got).toHaveLength(records.length + 1);
    expect(got).toEqual(await read('forms-ref'));
    expect(await packs('forms')).toBe(0);
    expect(await storedRows('forms')).toEqual(await storedRows('forms-ref'));
  });

  it('packs records with their own timestamps too (a produce in a transaction), as they are', async () => {
    const records = many(2 * PACK_MIN).map((record, i) => ({
      ...record,
      partition: 0,
      timestamp: 1_650_000_000_000 + i,
    }));
    await pair('stamped', records);
    expect(await packs('stamped')).toBe(1);
    expect(await partitionRows('stamped')).toEqual(await partitionRows('stamped-ref'));
    expect(await read('stamped')).toEqual(await read('stamped-ref'));
    expect(await storedRows('stamped')).toEqual(await storedRows('stamped-ref'));
  });

  it('serves packed records to a share group (read as they are), a consumer group and the Kafka door', async () => {
    const records = many(2 * PACK_MIN + 5).map((record) => ({ ...record, partition: 0 }));
    await pair('doors', records);
    const shared = (topic: string) => sharedRecords(log, topic);
    const fromShare = await shared('doors');
    expect(fromShare).toHaveLength(records.length + 1);
    expect(fromShare).toEqual(await shared('doors-ref'));
    expect(await packs('doors')).toBe(1);

    const consumed = (topic: string) => consumedRecords(log, topic);
    expect(await consumed('doors')).toEqual(await consumed('doors-ref'));
    expect(await packs('doors')).toBe(0);

    await log.produce('doors', records);
    for (const record of records) await log.produce('doors-ref', [record]);
    expect(await packs('doors')).toBe(1);
    const kafka = log.service(PartitionReader);
    const kafkaRead = (topic: string) => kafka.read(topic, 0, 0, 10_000, 10 * 1024 * 1024);
    expect((await kafkaRead('doors')).records).toEqual((await kafkaRead('doors-ref')).records);
    expect(await packs('doors')).toBe(0);
    expect(await storedRows('doors')).toEqual(await storedRows('doors-ref'));
  });

  it('serves packed records to a share member fetching a few at a time from two partitions', async () => {
    // From its third fetch the member's window locks go with the read of the next rows (pglat's
    // read-ahead), which holds no packed record: those are read the usual way.
    const records = many(2 * PACK_MIN).map((record, i) => ({ ...record, partition: i % 2 }));
    await pair('read-ahead', records, 2);
    expect(await packs('read-ahead')).toBe(2);
    const fetchAll = async (topic: string) => {
      await log.shares.updateConfig(`a-${topic}`, { autoOffsetReset: 'earliest' });
      const { memberId } = await log.shares.join(`a-${topic}`, { topics: [topic] });
      const all: unknown[] = [];
      for (let fetches = 0; fetches < 100; fetches++) {
        const { records: got } = await log.shareFetch.fetch(`a-${topic}`, memberId, {
          maxRecords: 10,
          maxWaitMs: 0,
          acks: [],
        });
        if (got.length === 0) break;
        all.push(...got.map(({ topic: _topic, lockExpiresAt: _until, ...record }) => record));
      }
      const at = (r: unknown) => r as { partition: number; offset: number };
      return all.sort((a, b) => at(a).partition - at(b).partition || at(a).offset - at(b).offset);
    };
    const fetched = await fetchAll('read-ahead');
    expect(fetched).toHaveLength(records.length + 1);
    expect(fetched).toEqual(await fetchAll('read-ahead-ref'));
  });

  it('answers dense offsets across partitions; another broker on the database files and reads them', async () => {
    const records = Array.from({ length: 600 }, (_, i) => ({ key: `k${i % 37}`, value: { i } }));
    await log.topics.create('dense', 3, undefined);
    await log.produce('dense', [{ value: 'first', partition: 0 }]);
    const answers = await log.produce('dense', records);
    expect(await packs('dense')).toBe(3);
    const byPosition = new Map<string, unknown>();
    for (const partition of [0, 1, 2]) {
      const got = await read('dense', partition, partition === 1 ? log : other);
      expect(got.map((r) => r.offset)).toEqual(got.map((_, i) => i));
      for (const r of got) byPosition.set(`${partition}:${r.offset}`, r.value);
    }
    expect(byPosition.size).toBe(records.length + 1);
    answers.forEach(({ partition, offset }, i) => expect(byPosition.get(`${partition}:${offset}`)).toEqual({ i }));
    expect(await packs('dense')).toBe(0);
  });

  it('inserts a pack’s rows once when two brokers file it', async () => {
    const records = many(PACK_MIN).map((record) => ({ ...record, partition: 0 }));
    await pair('twice', records);
    const id = await topicId('twice');
    // Both brokers read the pack; one files it, then the other, with what it read before.
    const found = await other.database.run((sql) =>
      sql.rows<PackRow>('SELECT base_offset, records FROM shoal_record_pack WHERE topic_id = $1', [id]),
    );
    expect(found).toHaveLength(1);
    await log.database.transaction((sql) => recordPacks.file(sql, id, 0, 0, 1_000));
    await other.database.run((sql) => recordPacks.filePacks(sql, id, 0, found));
    expect(await packs('twice')).toBe(0);
    expect(await storedRows('twice')).toEqual(await storedRows('twice-ref'));
  });

  it('reads per-record attempts from packed records as from rows (a release’s read files them)', async () => {
    const records = Array.from({ length: PACK_MIN }, (_, i) => ({
      value: { i },
      partition: 0,
      ...(i % 3 === 0 ? { headers: { 'shoal.attempts': String(1 + (i % 5)) } } : {}),
    }));
    await pair('tries', records);
    expect(await packs('tries')).toBe(1);
    const attempts = async (topic: string) => {
      const id = await topicId(topic);
      return [...(await log.database.run((sql) => logStore.attemptsBetween(sql, id, 0, 0, 1_000)))];
    };
    const got = await attempts('tries');
    expect(got).toHaveLength(22);
    expect(got).toEqual(await attempts('tries-ref'));
    expect(await packs('tries')).toBe(0);
  });

  it('packs nothing into a partition whose max timestamp is ahead of the broker’s clock', async () => {
    const ahead = log.clock.now() + 60_000;
    await pair('ahead', [{ value: 'ahead', timestamp: ahead, partition: 0 }]);
    const records = many(2 * PACK_MIN).map((record) => ({ ...record, partition: 0 }));
    await log.produce('ahead', records);
    for (const record of records) await log.produce('ahead-ref', [record]);
    expect(await packs('ahead')).toBe(0);
    expect(await storedRows('ahead')).toEqual(await storedRows('ahead-ref'));
    const last = (await storedRows('ahead')).at(-1) as { max_timestamp: number };
    expect(Number(last.max_timestamp)).toBe(ahead);
  });

  it('applies time and byte retention over packed records as over rows', async () => {
    const batch = (tag: string) => Array.from({ length: PACK_MIN }, (_, i) => ({ value: `${tag}-${i}`, partition: 0 }));
    await withoutBackgroundFiling(log, async () => {
      await pair('aged', batch('old'), 1, { retentionMs: 10_000 });
      log.clock.advance(20_000);
      await log.produce('aged', batch('new'));
      for (const record of batch('new')) await log.produce('aged-ref', [record]);
      expect(await packs('aged')).toBeGreaterThanOrEqual(1); // a filing step begun before the pause may have filed one
      expect(await log.retention.sweep(log.clock.now())).toBe(2 * (PACK_MIN + 1)); // both topics
      expect(await partitionRows('aged')).toEqual(await partitionRows('aged-ref'));
      expect((await read('aged')).map((r) => r.value)).toEqual(batch('new').map((r) => r.value));
    });

    await pair('sized', many(PACK_MIN * 2), 1, { retentionBytes: 1_000 });
    await log.retention.sweep(log.clock.now());
    const [window] = await partitionRows('sized');
    expect(window).toEqual((await partitionRows('sized-ref'))[0]);
    expect(Number((window as { start_offset: number }).start_offset)).toBeGreaterThan(0);
    expect(await storedRows('sized')).toEqual(await storedRows('sized-ref'));
  });

  it('removes a deleted topic’s packs with its records', async () => {
    await log.topics.create('doomed', 2, undefined);
    await log.produce('doomed', [{ value: 'small' }]);
    await log.produce('doomed', many(4 * PACK_MIN));
    const id = await topicId('doomed');
    expect(await packs('doomed')).toBe(2);
    await log.topics.delete('doomed');
    await log.purger.sweep();
    expect(await recordsLeft(log, id)).toBe(0);
  });

  it('gives the metrics the timestamps of packed records from the packs as they are, filing nothing', async () => {
    await pair(
      'gauges',
      Array.from({ length: 2 * PACK_MIN }, (_, i) => ({ value: { i }, partition: 0 })),
    );
    for (const topic of ['gauges', 'gauges-ref']) {
      const { memberId, generation } = await log.groups.join(`c-${topic}`, { topics: [topic] });
      await log.groups.commit(`c-${topic}`, memberId, generation, [{ topic, partition: 0, offset: 77 }]);
      await log.shares.updateConfig(`s-${topic}`, { autoOffsetReset: 'earliest' });
      await log.shares.join(`s-${topic}`, { topics: [topic] });
    }
    const [consumers, windows] = await log.database.run(async (sql) => [
      await metricsStore.consumerPositions(sql),
      await metricsStore.shareWindows(sql),
    ]);
    const of = <T extends { topic: string; group: string }>(rows: T[], topic: string) =>
      rows
        .filter((row) => row.topic === topic)
        .map(({ topic: _topic, group, ...row }) => ({ ...row, group: group.replace(`-${topic}`, '') }));
    expect(of(consumers, 'gauges')).toEqual(of(consumers, 'gauges-ref'));
    expect(of(consumers, 'gauges')).toMatchObject([{ nextOffset: 77, nextTimestamp: log.clock.now() }]);
    expect(of(windows, 'gauges')).toEqual(of(windows, 'gauges-ref'));
    expect(await packs('gauges')).toBe(1);
  });

  it('files packs in the background once no produce came for a while, and not before', async () => {
    await pair(
      'idle',
      many(4 * PACK_MIN).map((record, i) => ({ ...record, partition: i % 2 })),
      2,
    );
    const filer = log.service(PackFiler);
    expect(await packs('idle')).toBe(2);
    expect(await filer.fileWhileIdle()).toBe(0); // a produce just ran (the clock has not moved)
    expect(await packs('idle')).toBe(2);
    log.clock.advance(1_000);
    // Its own timer files too, and a pack it holds is skipped (SKIP LOCKED): look until none is left.
    await until(async () => {
      await filer.fileWhileIdle();
      return (await packs('idle')) === 0;
    }, 10_000);
    expect(await storedRows('idle')).toEqual(await storedRows('idle-ref'));
  });
});
