import type { Acknowledgement } from '@shoal/protocol';
import { ShareFetchService } from '../../src/share-groups/share-fetch.service.js';
import { sharePartitionStore } from '../../src/share-groups/storage/share-partition.store.js';
import { shareGroupStore } from '../../src/share-groups/storage/share-group.store.js';
import { topicStore } from '../../src/log/storage/topic.store.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${ShareFetchService.name} transitions on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  let n = 0;
  /** A fresh topic and group: `records` values on partition 0, the group reading from the start. */
  async function setup(records: number, config: Record<string, unknown> = {}) {
    const topic = `jobs-${++n}`;
    const group = `workers-${n}`;
    await log.topics.create(topic, 1, undefined);
    if (records > 0)
      await log.produce(
        topic,
        Array.from({ length: records }, (_, i) => ({ value: i, partition: 0 })),
      );
    await log.shares.updateConfig(group, { autoOffsetReset: 'earliest', ...config });
    const a = (await log.shares.join(group, { topics: [topic] })).memberId;
    return { topic, group, a };
  }
  const fetch = (group: string, member: string, maxRecords = 100, acks: Acknowledgement[] = []) =>
    log.shareFetch.fetch(group, member, { maxRecords, maxWaitMs: 0, acks });
  const ack = (
    group: string,
    member: string,
    topic: string,
    offset: number,
    type: Acknowledgement['type'],
    extra: Partial<Acknowledgement> = {},
  ) =>
    log.shareFetch
      .acknowledge(group, member, [{ topic, partition: 0, offset, type, ...extra }])
      .then((r) => r[0].error);
  const partition = async (group: string) => (await log.shares.describe(group)).partitions[0];

  it('hands out records lowest offset first, locked to one member, counting deliveries', async () => {
    const { topic, group, a } = await setup(5);
    const b = (await log.shares.join(group, { topics: [topic] })).memberId;
    const first = await fetch(group, a, 3);
    expect(first.records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(first.records[0].lockExpiresAt).toBe(log.clock.now() + 30_000);
    const second = await fetch(group, b, 10);
    expect(second.records.map((r) => r.offset)).toEqual([3, 4]);
    expect(await partition(group)).toMatchObject({ startOffset: 0, endOffset: 5, acquired: 5, available: 0, lag: 5 });
  });

  it('accepts, releases for redelivery, rejects, and moves the start past final records', async () => {
    const { topic, group, a } = await setup(3);
    await fetch(group, a);
    expect(await ack(group, a, topic, 0, 'accept')).toBeNull();
    expect(await ack(group, a, topic, 1, 'release')).toBeNull();
    expect(await ack(group, a, topic, 2, 'reject')).toBeNull();
    expect(await partition(group)).toMatchObject({
      startOffset: 1,
      endOffset: 3,
      available: 1,
      acknowledged: 0,
      archived: 1,
      lag: 1,
    });
    const again = await fetch(group, a);
    expect(again.records.map((r) => [r.offset, r.deliveryCount])).toEqual([[1, 2]]);
    expect(await ack(group, a, topic, 1, 'accept')).toBeNull();
    expect(await partition(group)).toMatchObject({ startOffset: 3, endOffset: 3, lag: 0 });
  });

  it('refuses acks of records the member does not hold, changing nothing', async () => {
    const { topic, group, a } = await setup(4);
    const b = (await log.shares.join(group, { topics: [topic] })).memberId;
    await fetch(group, a, 2); // a holds 0 and 1
    await fetch(group, b, 1); // b holds 2
    expect(await ack(group, b, topic, 0, 'accept')).toBe('INVALID_RECORD_STATE'); // another member's
    expect(await ack(group, a, topic, 3, 'accept')).toBe('INVALID_RECORD_STATE'); // never fetched
    expect(await ack(group, a, topic, 0, 'accept')).toBeNull();
    expect(await ack(group, a, topic, 0, 'release')).toBe('INVALID_RECORD_STATE'); // final
    expect(
      await log.shareFetch.acknowledge(group, a, [{ topic: 'no-such-topic', partition: 0, offset: 0, type: 'accept' }]),
    ).toEqual([{ topic: 'no-such-topic', partition: 0, offset: 0, error: 'INVALID_RECORD_STATE' }]);
    expect(
      await log.shareFetch.acknowledge(group, a, [{ topic, partition: 0, offset: 1, lastOffset: 2, type: 'accept' }]),
    ).toEqual([{ topic, partition: 0, offset: 1, lastOffset: 2, error: 'INVALID_RECORD_STATE' }]);
    expect(await partition(group)).toMatchObject({ acquired: 2, acknowledged: 0, startOffset: 1 });
    log.clock.advance(30_000); // every lock runs out
    expect(await ack(group, a, topic, 1, 'accept')).toBe('INVALID_RECORD_STATE');
    expect(await partition(group)).toMatchObject({ acquired: 0, available: 2 });
  });

  it('keeps a renewed record past its first expiry', async () => {
    const { topic, group, a } = await setup(1, { recordLockDurationMs: 10_000 });
    const b = (await log.shares.join(group, { topics: [topic] })).memberId;
    await fetch(group, a);
    log.clock.advance(8_000);
    expect(await ack(group, a, topic, 0, 'renew')).toBeNull();
    log.clock.advance(8_000); // 16 s after the fetch, 8 s after the renewal
    expect((await fetch(group, b)).records).toEqual([]);
    expect(await ack(group, a, topic, 0, 'accept')).toBeNull();
  });

  it('does not redeliver a delayed release before its delay', async () => {
    const { topic, group, a } = await setup(1);
    await fetch(group, a);
    expect(await ack(group, a, topic, 0, 'release', { delayMs: 5_000 })).toBeNull();
    expect((await fetch(group, a)).records).toEqual([]);
    expect(await partition(group)).toMatchObject({ available: 1 });
    log.clock.advance(4_999);
    expect((await fetch(group, a)).records).toEqual([]);
    log.clock.advance(1);
    expect((await fetch(group, a)).records.map((r) => r.deliveryCount)).toEqual([2]);
  });

  it('archives at the delivery limit on release, on lock expiry and on reject, and dead-letters each', async () => {
    const dlq = `dlq-${n + 1}`;
    await log.topics.create(dlq, 1, undefined);
    const { topic, group, a } = await setup(3, {
      deliveryCountLimit: 2,
      deadLetterTopic: dlq,
      recordLockDurationMs: 1_000,
    });
    await fetch(group, a); // 0, 1, 2: delivery 1
    await log.shareFetch.acknowledge(group, a, [
      { topic, partition: 0, offset: 0, type: 'release' },
      { topic, partition: 0, offset: 2, type: 'reject' },
    ]);
    log.clock.advance(1_000); // 1's lock runs out: released, delivery 1 < 2
    expect((await fetch(group, a)).records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(await ack(group, a, topic, 0, 'release')).toBeNull(); // at the limit: archived
    log.clock.advance(1_000);
    await log.shares.sweep(log.clock.now()); // 1's second lock runs out: archived
    expect(await partition(group)).toMatchObject({ startOffset: 3, archived: 0, lag: 0 });
    const dead = await log.reader.read(dlq, 0, { offset: 0, maxRecords: 10, maxWaitMs: 0 });
    expect(
      dead.records.map((r) => [
        r.value,
        r.headers['shoal.dlq.offset'],
        r.headers['shoal.dlq.reason'],
        r.headers['shoal.dlq.delivery-count'],
      ]),
    ).toEqual([
      [2, '2', 'rejected', '1'],
      [0, '0', 'delivery_limit', '2'],
      [1, '1', 'delivery_limit', '2'],
    ]);
    expect(dead.records[0].headers).toMatchObject({
      'shoal.dlq.topic': topic,
      'shoal.dlq.partition': '0',
      'shoal.dlq.group': group,
    });
  });

  it('takes no more than maxInFlightRecordsPerPartition into the window', async () => {
    const { group, a } = await setup(150, { maxInFlightRecordsPerPartition: 100 });
    expect((await fetch(group, a, 500)).records).toHaveLength(100);
    expect((await fetch(group, a, 500)).records).toHaveLength(0);
    expect(await partition(group)).toMatchObject({ startOffset: 0, endOffset: 100, acquired: 100, lag: 150 });
  });

  it('applies piggy-backed acks before acquiring', async () => {
    const { topic, group, a } = await setup(2);
    await fetch(group, a, 1);
    const next = await fetch(group, a, 5, [{ topic, partition: 0, offset: 0, type: 'release' }]);
    expect(next.ackResults).toEqual([{ topic, partition: 0, offset: 0, error: null }]);
    expect(next.records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });

  it('releases what a member held when it leaves, and when its session expires', async () => {
    const { topic, group, a } = await setup(2);
    const b = (await log.shares.join(group, { topics: [topic], sessionTimeoutMs: 5_000 })).memberId;
    await fetch(group, a, 1);
    await fetch(group, b, 1);
    await log.shares.leave(group, a);
    expect(await partition(group)).toMatchObject({ available: 1, acquired: 1 });
    const c = (await log.shares.join(group, { topics: [topic] })).memberId;
    log.clock.advance(5_001);
    await log.shares.heartbeat(group, c);
    expect(await partition(group)).toMatchObject({ available: 2, acquired: 0 });
    await expect(log.shares.heartbeat(group, b)).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER' });
  });
  it('reads in one statement (lockWindows) what opening a share-partition reads one by one', async () => {
    const { topic, group, a } = await setup(6, { recordLockDurationMs: 1_000, maxRecordsPerSecond: 50 });
    const { topic: idle, group: idleGroup } = await setup(0);
    await fetch(idleGroup, (await log.shares.join(idleGroup, { topics: [idle] })).memberId);
    await fetch(group, a, 2); // 0 and 1 acquired, locks running out in 1 s
    const lockWindows = (groupName: string, names: string[], now: number) =>
      log.database.transaction(async (sql) => {
        const found = (await shareGroupStore.find(sql, groupName))!;
        const topics = await topicStore.findByNames(sql, names);
        return sharePartitionStore.lockWindows(
          sql,
          found.id,
          topics.map((t) => ({ topicId: t.id, partition: 0 })),
          now,
        );
      });
    const flow = { topicPriority: null, maxRecordsPerSecond: 50 };
    const now = log.clock.now();
    const [[key, before]] = [...(await lockWindows(group, [topic], now))];
    expect(before).toMatchObject({
      window: { startOffset: 0, endOffset: 2 },
      log: { startOffset: 0, endOffset: 6 },
      expired: false,
      available: false,
      flow,
    });
    expect(key).toMatch(/^\d+:0$/);
    // A lock run out and a record released (available): both seen, as of the time asked about.
    expect(await ack(group, a, topic, 1, 'release')).toBeNull();
    const later = await lockWindows(group, [topic], now + 1_000);
    expect(later.get(key)).toMatchObject({ window: { startOffset: 0, endOffset: 2 }, expired: true, available: true });
    // A group without flow settings; a share-partition not started is absent.
    const idleWindows = await lockWindows(idleGroup, [idle, topic], now);
    expect([...idleWindows.values()]).toEqual([
      {
        window: { startOffset: 0, endOffset: 0 },
        log: { startOffset: 0, endOffset: 0 },
        expired: false,
        available: false,
        flow: null,
      },
    ]);
  });
});
