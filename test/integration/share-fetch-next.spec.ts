import { jest } from '@jest/globals';
import { DEFAULT_SECURITY } from '../../src/config/shoal-config.js';
import { ShareGroupCoordinator } from '../../src/share-groups/share-group.coordinator.js';
import { shareGroupStore } from '../../src/share-groups/storage/share-group.store.js';
import { sharePartitionStore } from '../../src/share-groups/storage/share-partition.store.js';
import { topicStore } from '../../src/log/storage/topic.store.js';
import { type LogContext, openLogContext } from '../support/log-context.js';

/** A fetch answer's record bytes are capped at 2,500: two records of 1,000 bytes. */
const MAX_RESPONSE_BYTES = 2_500;

/**
 * On PostgreSQL a member with one partition fetches without acks in one statement
 * (`shoal_share_fetch_next`) once its assignment is known, in the plain case only; anything
 * else (membership changed, records available again, a member expired) is left to the usual way.
 */
describe('PostgreSQL share fetch in one statement', () => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext('postgres', 1_800_000_000_000, undefined, {
      security: { ...DEFAULT_SECURITY, maxResponseBytes: MAX_RESPONSE_BYTES },
    });
  });
  afterAll(() => log.close());

  let n = 0;
  const sized = (bytes: number) => ({ valueBase64: Buffer.alloc(bytes, 7).toString('base64'), partition: 0 });
  async function setup(records: { valueBase64: string; partition: number }[]) {
    const topic = `next-${++n}`;
    const group = `next-${n}`;
    await log.topics.create(topic, 1, undefined);
    await log.produce(topic, records);
    await log.shares.updateConfig(group, { autoOffsetReset: 'earliest', recordLockDurationMs: 30_000 });
    const member = (await log.shares.join(group, { topics: [topic] })).memberId;
    return { topic, group, member };
  }
  /** Fetches, and answers the offsets with whether the one statement did it. */
  async function fetch(group: string, member: string, maxRecords = 1) {
    const spy = jest.spyOn(log.service(ShareGroupCoordinator), 'fetchNext');
    try {
      const { records } = await log.shareFetch.fetch(group, member, { maxRecords, maxWaitMs: 0, acks: [] });
      const answers = (await Promise.all(spy.mock.results.map((r) => r.value))) as { done: boolean }[];
      return { offsets: records.map((r) => r.offset), records, oneStatement: answers.some((a) => a.done) };
    } finally {
      spy.mockRestore();
    }
  }

  it('takes the next records within the byte budget, once the assignment is known', async () => {
    const { group, member } = await setup([sized(1_000), sized(1_000), sized(1_000), sized(3_000), sized(10)]);
    // The first fetch notes the assignment, the second what the group looked like for it.
    expect(await fetch(group, member)).toMatchObject({ offsets: [0], oneStatement: false });
    expect(await fetch(group, member)).toMatchObject({ offsets: [1], oneStatement: false });
    const third = await fetch(group, member, 10);
    expect(third).toMatchObject({ offsets: [2], oneStatement: true });
    // The first record of an answer is taken however large; the rest within the budget.
    expect(await fetch(group, member, 10)).toMatchObject({ offsets: [3], oneStatement: true });
    const last = await fetch(group, member, 10);
    expect(last).toMatchObject({ offsets: [4], oneStatement: true });
    expect(last.records[0]).toMatchObject({ deliveryCount: 1, lockExpiresAt: log.clock.now() + 30_000 });
    expect(await fetch(group, member, 10)).toMatchObject({ offsets: [], oneStatement: true });
    // What it acquired is held by the member, as the usual way's acquisitions are.
    const results = await log.shareFetch.acknowledge(group, member, [
      { topic: `next-${n}`, partition: 0, offset: 2, lastOffset: 4, type: 'accept' },
    ]);
    expect(results.map((r) => r.error)).toEqual([null]);
  });

  it('leaves a released record, a new member and an expired one to the usual way', async () => {
    const { topic, group, member } = await setup(Array.from({ length: 6 }, () => sized(10)));
    await fetch(group, member);
    await fetch(group, member);
    expect(await fetch(group, member)).toMatchObject({ offsets: [2], oneStatement: true });
    // A release makes offset 2 available again: redelivered the usual way.
    await log.shareFetch.acknowledge(group, member, [{ topic, partition: 0, offset: 2, type: 'release' }]);
    const again = await fetch(group, member);
    expect(again).toMatchObject({ offsets: [2], oneStatement: false });
    expect(again.records[0].deliveryCount).toBe(2);
    // A member joining changes what the assignment was made from: the usual way, which notes it again.
    await log.shares.join(group, { topics: [topic], sessionTimeoutMs: 10_000 });
    expect(await fetch(group, member)).toMatchObject({ offsets: [3], oneStatement: false });
    expect(await fetch(group, member)).toMatchObject({ offsets: [4], oneStatement: true });
    // Its session runs out while ours is renewed by every fetch: the usual way removes it.
    log.clock.advance(6_000);
    await fetch(group, member, 0);
    log.clock.advance(6_000);
    const after = await fetch(group, member);
    expect(after).toMatchObject({ offsets: [5], oneStatement: false });
    expect((await log.shares.describe(group)).members).toHaveLength(1);
  });

  it('accepts the leading records in one statement, and leaves other accepts to the usual way', async () => {
    const { topic, group, member } = await setup(Array.from({ length: 4 }, () => sized(10)));
    expect((await fetch(group, member, 2)).offsets).toEqual([0, 1]);
    expect((await fetch(group, member, 2)).offsets).toEqual([2, 3]);
    const accept = async (offsets: number[]) => {
      const spy = jest.spyOn(log.service(ShareGroupCoordinator), 'acceptLeading');
      try {
        const acks = offsets.map((offset) => ({ topic, partition: 0, offset, type: 'accept' as const }));
        const errors = (await log.shareFetch.acknowledge(group, member, acks)).map((r) => r.error);
        const oneStatement = (await Promise.all(spy.mock.results.map((r) => r.value))).some((done) => done === true);
        return { errors, oneStatement };
      } finally {
        spy.mockRestore();
      }
    };
    const window = async () =>
      log.database.run((sql) =>
        sql.rows<{ start_offset: number; ranges: number }>(
          `SELECT sp.start_offset, (SELECT COUNT(*) FROM shoal_share_range r WHERE r.group_id = sp.group_id) AS ranges
           FROM shoal_share_partition sp JOIN shoal_share_group g ON g.id = sp.group_id WHERE g.name = $1`,
          [group],
        ),
      );
    // Records before them still held: not the leading ones.
    expect(await accept([3])).toEqual({ errors: [null], oneStatement: false });
    expect(await window()).toEqual([{ start_offset: 0, ranges: 3 }]);
    // The leading ones (two entries of one range): the start moves past them.
    expect(await accept([1, 0])).toEqual({ errors: [null, null], oneStatement: true });
    expect(await window()).toEqual([{ start_offset: 2, ranges: 2 }]);
    // An offset no longer held: the usual way answers its error.
    expect(await accept([0])).toEqual({ errors: ['INVALID_RECORD_STATE'], oneStatement: false });
    // The last one held, with the final one after it: the start moves past both.
    expect(await accept([2])).toEqual({ errors: [null], oneStatement: true });
    expect(await window()).toEqual([{ start_offset: 4, ranges: 0 }]);
  });

  it('reads the window as of after any wait for its lock', async () => {
    const { topic, group, member } = await setup(Array.from({ length: 5 }, () => sized(10)));
    await fetch(group, member);
    await fetch(group, member);
    const now = log.clock.now();
    let commit!: () => void;
    const go = new Promise<void>((resolve) => (commit = resolve));
    let lockedIt!: () => void;
    const locked = new Promise<void>((resolve) => (lockedIt = resolve));
    // Another transaction holds the window's row and acquires 2 and 3 before it commits.
    const holder = log.database.transaction(async (sql) => {
      const key = {
        groupId: (await shareGroupStore.find(sql, group))!.id,
        topicId: (await topicStore.findByNames(sql, [topic]))[0].id,
        partition: 0,
      };
      await sharePartitionStore.lockWindows(sql, key.groupId, [key], now);
      await sharePartitionStore.insertAcquired(sql, key, 2, 4, member, now + 30_000);
      await sharePartitionStore.setWindow(sql, key, { startOffset: 0, endOffset: 4 });
      await sql.rows('SELECT 1');
      lockedIt();
      await go;
    });
    await locked;
    const fetched = fetch(group, member, 10);
    // Until the fetch waits for the row.
    while ((await log.database.run((sql) => sql.rows('SELECT 1 FROM pg_locks WHERE NOT granted'))).length === 0)
      await new Promise((resolve) => setImmediate(resolve));
    commit();
    await holder;
    expect(await fetched).toMatchObject({ offsets: [4], oneStatement: true });
  });
});
