import type { Acknowledgement } from '@shoal/protocol';
import { SharePartition } from '../../src/share-groups/share-partition.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

/** Expired locks are in force without a fetch, and the start offset moves whichever way records become final. */
describe.each(STORAGE_KINDS)(`${SharePartition.name} lock expiry and start offset on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  let n = 0;
  /** A fresh topic, dead-letter topic and group: `records` values on partition 0, delivery limit 2, locks of 1 s. */
  async function setup(records: number) {
    const topic = `exp-jobs-${++n}`;
    const dlq = `exp-dlq-${n}`;
    const group = `exp-workers-${n}`;
    await log.topics.create(topic, 1, undefined);
    await log.topics.create(dlq, 1, undefined);
    await log.produce(
      topic,
      Array.from({ length: records }, (_, i) => ({ value: i, partition: 0 })),
    );
    await log.shares.updateConfig(group, {
      autoOffsetReset: 'earliest',
      deliveryCountLimit: 2,
      recordLockDurationMs: 1_000,
      deadLetterTopic: dlq,
    });
    const a = (await log.shares.join(group, { topics: [topic] })).memberId;
    return { topic, dlq, group, a };
  }
  const fetch = (group: string, member: string, maxRecords = 100, acks: Acknowledgement[] = []) =>
    log.shareFetch.fetch(group, member, { maxRecords, maxWaitMs: 0, acks });
  const ack = (group: string, member: string, topic: string, offset: number, type: Acknowledgement['type']) =>
    log.shareFetch.acknowledge(group, member, [{ topic, partition: 0, offset, type }]).then((r) => r[0].error);
  const partition = async (group: string) => (await log.shares.describe(group)).partitions[0];
  const deadLetters = async (dlq: string) =>
    (await log.reader.read(dlq, 0, { offset: 0, maxRecords: 100, maxWaitMs: 0 })).records.map((r) => [
      r.headers['shoal.dlq.offset'],
      r.headers['shoal.dlq.reason'],
    ]);

  it('describe counts records whose lock ran out as available, with no fetch or sweep in between', async () => {
    const { group, a } = await setup(3);
    await fetch(group, a);
    expect(await partition(group)).toMatchObject({ acquired: 3, available: 0, lag: 3 });
    log.clock.advance(1_000);
    expect(await partition(group)).toMatchObject({
      startOffset: 0,
      endOffset: 3,
      acquired: 0,
      available: 3,
      archived: 0,
      lag: 3,
    });
    expect((await fetch(group, a)).records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
  });

  it('describe archives and dead-letters records whose lock ran out at the delivery limit, and moves the start past them', async () => {
    const { group, dlq, a } = await setup(2);
    await fetch(group, a);
    log.clock.advance(1_000);
    await fetch(group, a); // delivery 2 of both
    log.clock.advance(1_000);
    expect(await partition(group)).toMatchObject({
      startOffset: 2,
      endOffset: 2,
      acquired: 0,
      available: 0,
      archived: 0,
      lag: 0,
    });
    expect(await deadLetters(dlq)).toEqual([
      ['0', 'delivery_limit'],
      ['1', 'delivery_limit'],
    ]);
  });

  it('a fetch that archives an expired record at the limit moves the start and hands out the next one', async () => {
    const { group, dlq, a } = await setup(3);
    expect((await fetch(group, a, 1)).records.map((r) => r.offset)).toEqual([0]);
    log.clock.advance(1_000);
    expect((await fetch(group, a, 1)).records.map((r) => [r.offset, r.deliveryCount])).toEqual([[0, 2]]);
    log.clock.advance(1_000);
    expect((await fetch(group, a, 1)).records.map((r) => [r.offset, r.deliveryCount])).toEqual([[1, 1]]);
    expect(await partition(group)).toMatchObject({ startOffset: 1, endOffset: 2, acquired: 1, archived: 0, lag: 2 });
    expect(await deadLetters(dlq)).toEqual([['0', 'delivery_limit']]);
  });

  it('a release at the limit moves the start, by the acks route and piggy-backed on a fetch', async () => {
    const { topic, group, a } = await setup(2);
    await fetch(group, a);
    await log.shareFetch.acknowledge(group, a, [{ topic, partition: 0, offset: 0, lastOffset: 1, type: 'release' }]);
    await fetch(group, a); // delivery 2 of both
    expect(await ack(group, a, topic, 0, 'release')).toBeNull();
    expect(await partition(group)).toMatchObject({ startOffset: 1, archived: 0, acquired: 1, lag: 1 });
    const answer = await fetch(group, a, 100, [{ topic, partition: 0, offset: 1, type: 'release' }]);
    expect(answer.ackResults.map((r) => r.error)).toEqual([null]);
    expect(await partition(group)).toMatchObject({ startOffset: 2, endOffset: 2, archived: 0, lag: 0 });
  });

  it('a reject moves the start once every record before it is final', async () => {
    const { topic, group, dlq, a } = await setup(3);
    await fetch(group, a);
    expect(await ack(group, a, topic, 2, 'reject')).toBeNull();
    expect(await partition(group)).toMatchObject({ startOffset: 0, archived: 1, lag: 2 });
    expect(await ack(group, a, topic, 0, 'reject')).toBeNull();
    expect(await partition(group)).toMatchObject({ startOffset: 1, archived: 1, lag: 1 });
    expect(await ack(group, a, topic, 1, 'accept')).toBeNull();
    expect(await partition(group)).toMatchObject({ startOffset: 3, archived: 0, acknowledged: 0, lag: 0 });
    expect(await deadLetters(dlq)).toEqual([
      ['2', 'rejected'],
      ['0', 'rejected'],
    ]);
  });

  it('a member leaving with records at the limit moves the start past them', async () => {
    const { topic, group, a } = await setup(2);
    const b = (await log.shares.join(group, { topics: [topic] })).memberId;
    await fetch(group, a);
    log.clock.advance(1_000);
    await fetch(group, a); // delivery 2 of both
    await log.shares.leave(group, a);
    expect(await partition(group)).toMatchObject({ startOffset: 2, archived: 0, lag: 0 });
    expect((await fetch(group, b)).records).toEqual([]);
  });

  it('the sweep applies expiries once: a second sweep at the same time changes nothing', async () => {
    const { group, dlq, a } = await setup(1);
    await fetch(group, a);
    log.clock.advance(1_000);
    await fetch(group, a);
    log.clock.advance(1_000);
    await log.shares.sweep(log.clock.now());
    await log.shares.sweep(log.clock.now());
    expect(await partition(group)).toMatchObject({ startOffset: 1, archived: 0, lag: 0 });
    expect(await deadLetters(dlq)).toEqual([['0', 'delivery_limit']]);
  });
});
