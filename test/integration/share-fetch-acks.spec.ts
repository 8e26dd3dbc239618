import { jest } from '@jest/globals';
import type { Acknowledgement } from '@shoal/protocol';
import { ShareFetchService } from '../../src/share-groups/share-fetch.service.js';
import { ShareGroupCoordinator } from '../../src/share-groups/share-group.coordinator.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { until } from '../support/until.js';

/**
 * On SQLite the commits are flushed apart from them (WalSync): a fetch carrying acks commits
 * them first and acquires while their flush runs, and answers once both are done.
 */
describe(`${ShareFetchService.name} with piggy-backed acks on SQLite`, () => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext('sqlite');
  });
  afterAll(() => log.close());

  let n = 0;
  async function setup(records: number) {
    const topic = `acks-apart-${++n}`;
    const group = `acks-apart-${n}`;
    await log.topics.create(topic, 1, undefined);
    await log.produce(
      topic,
      Array.from({ length: records }, (_, i) => ({ value: i, partition: 0 })),
    );
    await log.shares.updateConfig(group, { autoOffsetReset: 'earliest' });
    const member = (await log.shares.join(group, { topics: [topic] })).memberId;
    return { topic, group, member };
  }
  const coordinator = () => log.service(ShareGroupCoordinator);
  const accepts = (topic: string, offsets: number[]): Acknowledgement[] =>
    offsets.map((offset) => ({ topic, partition: 0, offset, type: 'accept' }));

  it('acquires while the acks are flushed, with one flush for both, and answers once they are on disk', async () => {
    const { topic, group, member } = await setup(20);
    const first = await log.shareFetch.fetch(group, member, { maxRecords: 10, maxWaitMs: 0, acks: [] });
    expect(first.records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const wal = log.database.walSync!;
    const flushesBefore = wal.flushCount;
    const acksGeneration = wal.latest + 1;
    // Every wait for a flush (the fetch's, and any a background sweep's read makes meanwhile),
    // with what was on disk and how many flushes had begun at that moment.
    const waits: { generation: number; durable: number; flushes: number }[] = [];
    const original = wal.flushed.bind(wal);
    const flushed = jest.spyOn(wal, 'flushed').mockImplementation((generation: number) => {
      waits.push({ generation, durable: wal.durableGeneration, flushes: wal.flushCount });
      return original(generation);
    });
    const apart = jest.spyOn(coordinator(), 'withGroupCommitted');
    try {
      const second = await log.shareFetch.fetch(group, member, {
        maxRecords: 10,
        maxWaitMs: 0,
        acks: accepts(
          topic,
          first.records.map((r) => r.offset),
        ),
      });
      expect(second.ackResults.map((r) => r.error)).toEqual(new Array(10).fill(null));
      expect(second.records.map((r) => r.offset)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(apart).toHaveBeenCalledTimes(1);
      // The acks' commit asked for its flush; the acquisition, committed after it, waited for the
      // same generation while that flush was still running: it never waited for it to begin.
      const forAcks = waits.filter((w) => w.generation === acksGeneration);
      expect(forAcks.length).toBeGreaterThanOrEqual(2);
      expect(forAcks[0].flushes).toBe(flushesBefore);
      expect(forAcks.slice(1).some((w) => w.durable < acksGeneration && w.flushes === flushesBefore + 1)).toBe(true);
      expect(wal.flushCount).toBe(flushesBefore + 1);
      expect(wal.durableGeneration).toBeGreaterThanOrEqual(acksGeneration);
    } finally {
      flushed.mockRestore();
      apart.mockRestore();
    }
    expect((await log.shares.describe(group)).partitions[0]).toMatchObject({ startOffset: 10, acquired: 10 });
  });

  it('keeps acks and acquisition in one transaction while another fetch of the broker is under way', async () => {
    const { topic, group, member } = await setup(40);
    const other = (await log.shares.join(group, { topics: [topic] })).memberId;
    const mine = await log.shareFetch.fetch(group, member, { maxRecords: 10, maxWaitMs: 0, acks: [] });
    const theirs = await log.shareFetch.fetch(group, other, { maxRecords: 10, maxWaitMs: 0, acks: [] });
    const apart = jest.spyOn(coordinator(), 'withGroupCommitted');
    try {
      // Started together: the first is alone when it begins (acks apart), the second is not
      // (acks and acquisition in one transaction).
      const fetchAccepting = (memberId: string, held: { offset: number }[]) =>
        log.shareFetch.fetch(group, memberId, {
          maxRecords: 10,
          maxWaitMs: 0,
          acks: accepts(
            topic,
            held.map((r) => r.offset),
          ),
        });
      const [first, second] = await Promise.all([
        fetchAccepting(member, mine.records),
        fetchAccepting(other, theirs.records),
      ]);
      expect(apart).toHaveBeenCalledTimes(1);
      for (const answer of [first, second]) {
        expect(answer.ackResults.map((r) => r.error)).toEqual(new Array(10).fill(null));
        expect(answer.records).toHaveLength(10);
      }
      expect(new Set([...first.records, ...second.records].map((r) => r.offset)).size).toBe(20);
    } finally {
      apart.mockRestore();
    }
    expect((await log.shares.describe(group)).partitions[0]).toMatchObject({ startOffset: 20, acquired: 20 });
  });

  it('keeps the acks when the fetch waits and finds nothing, and answers their results after the wait', async () => {
    const { topic, group, member } = await setup(3);
    const first = await log.shareFetch.fetch(group, member, { maxRecords: 10, maxWaitMs: 0, acks: [] });
    const waiting = log.shareFetch.fetch(group, member, {
      maxRecords: 10,
      maxWaitMs: 60_000,
      acks: [...accepts(topic, [first.records[0].offset]), ...accepts(topic, [99])],
    });
    // Applied and committed before the wait: another reader sees them while the fetch waits.
    await until(async () => (await log.shares.describe(group)).partitions[0].startOffset === 1, 5_000);
    await log.produce(topic, [{ value: 'late', partition: 0 }]);
    const answer = await waiting;
    expect(answer.ackResults.map((r) => [r.offset, r.error])).toEqual([
      [0, null],
      [99, 'INVALID_RECORD_STATE'],
    ]);
    expect(answer.records.map((r) => r.offset)).toEqual([3]);
  });
});
