import type { ShareGroupConfigView } from '@shoal/protocol';
import { ManualClock } from '../../src/platform/clock.js';
import type { AckEntry } from '../../src/share-groups/domain/acknowledge.js';
import { ByteBudget } from '../../src/share-groups/domain/byte-budget.js';
import { RecordState } from '../../src/share-groups/domain/record-state.js';
import { DEFAULT_SHARE_GROUP_CONFIG } from '../../src/share-groups/domain/share-group-config.js';
import { emptyActivity, SharePartition } from '../../src/share-groups/share-partition.js';
import { inMemoryShareStores } from '../support/in-memory-share-stores.js';

const LOCK_MS = 1_000;

/** A SharePartition over in-memory stores: one group, topic `jobs` (partition 0), the manual clock. */
function setUp(config: Partial<ShareGroupConfigView> = {}) {
  const stores = inMemoryShareStores();
  const clock = new ManualClock();
  const group = {
    id: 1,
    name: 'workers',
    config: {
      ...DEFAULT_SHARE_GROUP_CONFIG,
      autoOffsetReset: 'earliest' as const,
      recordLockDurationMs: LOCK_MS,
      deadLetterTopic: 'jobs-dlq',
      ...config,
    },
  };
  const topic = stores.log.addTopic('jobs');
  /** One transaction, as ShareGroupTransaction runs it: open at the clock's time, `work`, flush the window. */
  async function tx<T>(work: (p: SharePartition) => Promise<T>) {
    const scope = { group, now: clock.now(), activity: emptyActivity(), stores };
    const partition = (await SharePartition.open(scope, topic, 0, true))!;
    const result = await work(partition);
    await partition.flush();
    return { result, activity: scope.activity, counts: scope.activity.byTopic.get('jobs') };
  }
  const acquire = (member: string, max = 100, budget = 1_000_000) =>
    tx((p) => p.acquire(member, max, new ByteBudget(budget))).then((r) => r.result);
  const ack = (member: string, type: AckEntry['type'], offset: number, lastOffset = offset) =>
    tx((p) => p.acknowledge(member, [{ offset, lastOffset, type }]));
  const window = () => stores.partitions.windowRows.get(`${topic.id}:0`);
  const states = () =>
    (stores.partitions.ranges.get(`${topic.id}:0`) ?? []).map((r) => [
      r.firstOffset,
      r.lastOffset,
      r.state,
      r.deliveryCount,
    ]);
  return { stores, clock, topic, tx, acquire, ack, window, states };
}

describe(SharePartition.name, () => {
  it('acquires new records from the log with their stored data, in one read of the log', async () => {
    const { stores, clock, topic, acquire, window } = setUp();
    stores.log.append(topic, 0, ['{"n":0}', '{"n":1}', '{"n":2}']);
    const records = await acquire('a');
    expect(records.map((r) => [r.offset, r.value, r.deliveryCount, r.lockExpiresAt])).toEqual([
      [0, '{"n":0}', 1, clock.now() + LOCK_MS],
      [1, '{"n":1}', 1, clock.now() + LOCK_MS],
      [2, '{"n":2}', 1, clock.now() + LOCK_MS],
    ]);
    expect(records[0]).toMatchObject({ topic: 'jobs', partition: 0, timestamp: 1_000, key: null });
    expect(stores.log.recordReads).toBe(1);
    expect(window()).toMatchObject({ startOffset: 0, endOffset: 3 });
    expect(await acquire('b')).toEqual([]);
  });

  it('writes its window once per transaction, however many changes moved it', async () => {
    const { stores, topic, tx, acquire, window } = setUp();
    stores.log.append(topic, 0, ['1', '2', '3', '4']);
    await acquire('a', 2);
    const before = stores.partitions.calls.get('setWindow') ?? 0;
    await tx(async (p) => {
      await p.acknowledge('a', [{ offset: 0, lastOffset: 1, type: 'accept' }]);
      await p.acquire('a', 2, new ByteBudget(1_000));
      expect(window()).toMatchObject({ startOffset: 0, endOffset: 2 }); // not yet written
    });
    expect(stores.partitions.calls.get('setWindow')).toBe(before + 1);
    expect(window()).toMatchObject({ startOffset: 2, endOffset: 4 });
  });

  it('acquires as many as the byte budget holds, the first always', async () => {
    const { stores, topic, acquire } = setUp();
    stores.log.append(topic, 0, ['"x"'.padEnd(40, ' '), '1', '2']);
    expect((await acquire('a', 10, 10)).map((r) => r.offset)).toEqual([0]);
    expect((await acquire('a', 10, 10)).map((r) => r.offset)).toEqual([1, 2]);
  });

  it('accepts: the start moves past the leading accepted records', async () => {
    const { stores, topic, acquire, ack, window, states } = setUp();
    stores.log.append(topic, 0, ['1', '2', '3']);
    await acquire('a');
    const { result, counts } = await ack('a', 'accept', 0, 1);
    expect(result).toEqual([null]);
    expect(counts?.acks.accept).toBe(2);
    expect(window()).toMatchObject({ startOffset: 2, endOffset: 3 });
    expect(states()).toEqual([[2, 2, RecordState.Acquired, 1]]);
    expect((await ack('b', 'accept', 2)).result).toEqual(['INVALID_RECORD_STATE']);
  });

  it('releases: the record is redelivered with its count one higher', async () => {
    const { stores, topic, acquire, ack } = setUp();
    stores.log.append(topic, 0, ['1', '2']);
    await acquire('a');
    const { activity } = await ack('a', 'release', 1);
    expect(activity.released).toBe(true);
    expect((await acquire('b')).map((r) => [r.offset, r.deliveryCount])).toEqual([[1, 2]]);
  });

  it('rejects: the record is archived and copied to the dead-letter topic', async () => {
    const { stores, topic, acquire, tx, window } = setUp();
    stores.log.append(topic, 0, ['1', '2']);
    await acquire('a');
    const { counts } = await tx((p) =>
      p.acknowledge('a', [{ offset: 0, lastOffset: 0, type: 'reject', reason: 'bad' }]),
    );
    expect(counts?.archived.rejected).toBe(1);
    expect(stores.deadLetters.batches).toEqual([
      expect.objectContaining({
        deadLetterTopic: 'jobs-dlq',
        group: 'workers',
        partition: 0,
        records: [{ offset: 0, reason: 'rejected', deliveryCount: 1, error: 'bad' }],
      }),
    ]);
    expect(window()).toMatchObject({ startOffset: 1 });
  });

  it('renews a lock: it runs the lock duration from now and does not expire at the old time', async () => {
    const { stores, clock, topic, acquire, ack, tx } = setUp();
    stores.log.append(topic, 0, ['1']);
    await acquire('a');
    clock.advance(LOCK_MS - 1);
    expect((await ack('a', 'renew', 0)).result).toEqual([null]);
    clock.advance(LOCK_MS - 1);
    const { counts } = await tx(async () => undefined);
    expect(counts?.lockTimeouts).toBe(0);
    expect((await ack('a', 'accept', 0)).result).toEqual([null]);
  });

  it('applies an expired lock on opening: released, then acquired again with count 2', async () => {
    const { stores, clock, topic, acquire, tx, ack } = setUp();
    stores.log.append(topic, 0, ['1', '2']);
    await acquire('a');
    clock.advance(LOCK_MS);
    const { counts, activity } = await tx(async () => undefined);
    expect(counts?.lockTimeouts).toBe(2);
    expect(activity.released).toBe(true);
    expect((await ack('a', 'accept', 0)).result).toEqual(['INVALID_RECORD_STATE']);
    expect((await acquire('b')).map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('archives at the delivery limit and dead-letters the record, the start moving past it', async () => {
    const { stores, clock, topic, acquire, ack, window } = setUp({ deliveryCountLimit: 2 });
    stores.log.append(topic, 0, ['1', '2']);
    await acquire('a');
    await ack('a', 'accept', 1);
    clock.advance(LOCK_MS);
    expect((await acquire('a')).map((r) => [r.offset, r.deliveryCount])).toEqual([[0, 2]]);
    expect((await ack('a', 'release', 0)).counts?.archived.delivery_limit).toBe(1);
    expect(stores.deadLetters.batches.map((b) => b.records)).toEqual([
      [{ offset: 0, reason: 'delivery_limit', deliveryCount: 2, error: undefined }],
    ]);
    expect(window()).toMatchObject({ startOffset: 2, endOffset: 2 });
    expect(await acquire('a')).toEqual([]);
  });

  it("archives at a record's own attempts (shoal.attempts) below the group's limit", async () => {
    const { stores, clock, topic, acquire, tx } = setUp({ deliveryCountLimit: 5 });
    stores.log.append(topic, 0, ['1'], '{"shoal.attempts":"1"}');
    await acquire('a');
    clock.advance(LOCK_MS);
    const { counts } = await tx(async () => undefined);
    expect(counts?.archived.delivery_limit).toBe(1);
    expect(stores.deadLetters.batches).toHaveLength(1);
  });

  it('follows the log when retention removed records the group had not finished', async () => {
    const { stores, topic, acquire, window } = setUp();
    stores.log.append(topic, 0, ['1', '2', '3']);
    await acquire('a', 1);
    stores.log.trim(topic, 0, 2);
    expect((await acquire('a')).map((r) => r.offset)).toEqual([2]);
    expect(window()).toMatchObject({ startOffset: 2, endOffset: 3 });
  });

  it('reopens records it archived, below its start included', async () => {
    const { stores, topic, acquire, tx, window } = setUp();
    stores.log.append(topic, 0, ['1', '2']);
    await acquire('a');
    await tx((p) => p.acknowledge('a', [{ offset: 0, lastOffset: 1, type: 'reject' }]));
    expect(window()).toMatchObject({ startOffset: 2 });
    expect((await tx((p) => p.reopen([1]))).result).toEqual([1]);
    expect(window()).toMatchObject({ startOffset: 1 });
    expect((await acquire('b')).map((r) => [r.offset, r.deliveryCount])).toEqual([[1, 1]]);
  });

  it('notes jobs only when there is something to keep: progress by the holder, reasons, results while kept', async () => {
    const plain = setUp();
    plain.stores.log.append(plain.topic, 0, ['1', '2']);
    await plain.acquire('a');
    await plain.tx((p) => p.acknowledge('a', [{ offset: 0, lastOffset: 1, type: 'accept', result: 7 }]));
    // Accepts while the group keeps no results: not one write (the hot path).
    expect(plain.stores.jobs.rows.size).toBe(0);

    const kept = setUp({ resultRetentionMs: 5_000 });
    kept.stores.log.append(kept.topic, 0, ['1', '2', '3']);
    await kept.acquire('a');
    expect((await kept.tx((p) => p.progress('b', 0, '50'))).result).toBe(false);
    expect((await kept.tx((p) => p.progress('a', 0, '50'))).result).toBe(true);
    await kept.tx((p) =>
      p.acknowledge('a', [
        { offset: 0, lastOffset: 0, type: 'accept', result: { ok: true } },
        { offset: 1, lastOffset: 1, type: 'reject', reason: 'bad' },
      ]),
    );
    const now = kept.clock.now();
    expect([...kept.stores.jobs.rows.values()]).toEqual([
      { offset: 0, progress: '50', result: '{"ok":true}', outcome: 'accepted', expiresAt: now + 5_000 },
      { offset: 1, reason: 'bad', outcome: 'rejected', expiresAt: now + 5_000 },
    ]);
    // A lock that runs out at the delivery limit: rejected too.
    const limited = setUp({ resultRetentionMs: 5_000, deliveryCountLimit: 1 });
    limited.stores.log.append(limited.topic, 0, ['1']);
    await limited.acquire('a');
    limited.clock.advance(LOCK_MS);
    await limited.acquire('b');
    expect([...limited.stores.jobs.rows.values()]).toEqual([
      { offset: 0, outcome: 'rejected', expiresAt: limited.clock.now() + 5_000 },
    ]);
  });
});
