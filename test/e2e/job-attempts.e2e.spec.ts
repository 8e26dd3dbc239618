import type { Acknowledgement, ShareGroupConfigView } from '@shoal/protocol';
import { ManualClock } from '../../src/platform/clock.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { failure, rawRequest } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

/**
 * Issue 27: a delivery limit of 1 (run once) up to 1,000, and a record's own `attempts` capping
 * its deliveries below its group's limit, over HTTP, on both databases.
 */
describe.each(STORAGE_KINDS)('delivery limits and per-record attempts over HTTP on %s', (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage), clock);
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  let n = 0;
  /** A fresh topic with `records`, its dead-letter topic, and a group reading from the start with one member. */
  async function setup(records: Record<string, unknown>[], config: Partial<ShareGroupConfigView> = {}) {
    const { client } = broker;
    const [topic, dlq, group] = [`att-jobs-${++n}`, `att-dlq-${n}`, `att-workers-${n}`];
    await client.createTopic({ name: topic, partitions: 1 });
    await client.createTopic({ name: dlq, partitions: 1 });
    await client.produce(topic, records as never);
    await client.updateShareGroupConfig(group, {
      autoOffsetReset: 'earliest',
      deadLetterTopic: dlq,
      recordLockDurationMs: 1_000,
      ...config,
    });
    const { memberId } = await client.joinShareGroup(group, { topics: [topic] });
    const release = (...offsets: number[]) =>
      client.acknowledge(
        group,
        memberId,
        offsets.map((offset): Acknowledgement => ({ topic, partition: 0, offset, type: 'release' })),
      );
    const fetch = async () =>
      (await client.shareFetch(group, memberId, { maxRecords: 100 })).records.map((r) => [
        r.offset,
        r.deliveryCount,
        r.attempts,
      ]);
    const deadLetters = async () =>
      (await client.read(dlq, 0, { offset: 0, maxRecords: 100 })).records.map((r) => [
        r.headers['shoal.dlq.offset'],
        r.headers['shoal.dlq.reason'],
        r.headers['shoal.dlq.delivery-count'],
      ]);
    const describe = async () => (await client.describeShareGroup(group)).partitions[0];
    return { topic, group, memberId, release, fetch, deadLetters, describe };
  }

  it('takes a deliveryCountLimit from 1 to 1000 and refuses 0 and 1001 with 400 INVALID_CONFIG', async () => {
    const { client } = broker;
    expect((await client.updateShareGroupConfig('att-range', { deliveryCountLimit: 1 })).deliveryCountLimit).toBe(1);
    expect((await client.updateShareGroupConfig('att-range', { deliveryCountLimit: 1000 })).deliveryCountLimit).toBe(
      1000,
    );
    for (const deliveryCountLimit of [0, 1001]) {
      expect(await failure(client.updateShareGroupConfig('att-range', { deliveryCountLimit }))).toEqual({
        status: 400,
        code: 'INVALID_CONFIG',
      });
    }
    expect((await client.describeShareGroup('att-range')).config.deliveryCountLimit).toBe(1000);
  });

  it('with deliveryCountLimit 1 a released record is archived and dead-lettered, never redelivered', async () => {
    const { release, fetch, deadLetters, describe } = await setup([{ value: 'a' }, { value: 'b' }], {
      deliveryCountLimit: 1,
    });
    expect(await fetch()).toEqual([
      [0, 1, undefined],
      [1, 1, undefined],
    ]);
    expect((await release(0)).map((r) => r.error)).toEqual([null]);
    clock.advance(1_000); // 1's lock runs out: a release too
    expect(await fetch()).toEqual([]);
    expect(await deadLetters()).toEqual([
      ['0', 'delivery_limit', '1'],
      ['1', 'delivery_limit', '1'],
    ]);
    expect(await describe()).toMatchObject({ startOffset: 2, available: 0, acquired: 0, lag: 0 });
  });

  it('attempts: 1 runs a failing record once under the default limit; the others are redelivered', async () => {
    const { release, fetch, deadLetters, describe, topic } = await setup([
      { value: 'once', attempts: 1 },
      { value: 'retried' },
      { value: 'twice', attempts: 2, headers: { 'shoal.attempts': '9', trace: 't' } },
    ]);
    const [record] = (await broker.client.read(topic, 0, { offset: 2, maxRecords: 1 })).records;
    expect(record.headers).toEqual({ 'shoal.attempts': '2', trace: 't' }); // the field wins, stored as the header
    expect(await fetch()).toEqual([
      [0, 1, 1],
      [1, 1, undefined],
      [2, 1, 2],
    ]);
    await release(0, 1, 2);
    expect(await fetch()).toEqual([
      [1, 2, undefined],
      [2, 2, 2],
    ]);
    expect(await deadLetters()).toEqual([['0', 'delivery_limit', '1']]);
    clock.advance(1_000); // both locks run out: 2 has had its two attempts, 1 has three left
    expect(await fetch()).toEqual([[1, 3, undefined]]);
    expect(await deadLetters()).toEqual([
      ['0', 'delivery_limit', '1'],
      ['2', 'delivery_limit', '2'],
    ]);
    expect(await describe()).toMatchObject({ acquired: 1, archived: 1 });
  });

  it("the group's lower limit still applies to a record asking for more attempts", async () => {
    const { release, fetch, deadLetters } = await setup([{ value: 'x', attempts: 3 }], { deliveryCountLimit: 2 });
    expect(await fetch()).toEqual([[0, 1, 3]]);
    await release(0);
    expect(await fetch()).toEqual([[0, 2, 3]]);
    await release(0);
    expect(await fetch()).toEqual([]);
    expect(await deadLetters()).toEqual([['0', 'delivery_limit', '2']]);
  });

  it('a shoal.attempts header set by the producer counts; one that is not a whole number from 1 is ignored', async () => {
    const { release, fetch, deadLetters } = await setup([
      { value: 'h', headers: { 'shoal.attempts': '1' } },
      { value: 'bad', headers: { 'shoal.attempts': '0' } },
      { value: 'junk', headers: { 'shoal.attempts': 'once' } },
    ]);
    expect(await fetch()).toEqual([
      [0, 1, 1],
      [1, 1, undefined],
      [2, 1, undefined],
    ]);
    await release(0, 1, 2);
    expect(await fetch()).toEqual([
      [1, 2, undefined],
      [2, 2, undefined],
    ]);
    expect(await deadLetters()).toEqual([['0', 'delivery_limit', '1']]);
  });

  it('refuses attempts out of 1..1000 or not an integer with 400 INVALID_RECORD, writing nothing', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'att-bad', partitions: 1 });
    const produce = (body: unknown) =>
      rawRequest(`${broker.url}/v1/topics/att-bad/records`, 'POST', JSON.stringify(body));
    for (const attempts of [0, 1001, 1.5, '2', true]) {
      const answer = await produce({ records: [{ value: 'fine' }, { value: 'x', attempts }] });
      expect([answer.status, answer.body.error.code]).toEqual([400, 'INVALID_RECORD']);
      expect(answer.body.error.message).toContain('records[1]: attempts must be an integer from 1 to 1000');
    }
    expect((await client.read('att-bad', 0, { offset: 0, maxRecords: 10 })).records).toEqual([]);
    const ok = await produce({
      records: [
        { value: 'x', attempts: null },
        { value: 'y', attempts: 1000 },
      ],
    });
    expect(ok.status).toBe(200);
    expect((await client.read('att-bad', 0, { offset: 0, maxRecords: 10 })).records.map((r) => r.headers)).toEqual([
      {},
      { 'shoal.attempts': '1000' },
    ]);
  });
});
