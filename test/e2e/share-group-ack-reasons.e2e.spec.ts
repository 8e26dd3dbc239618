import { type Acknowledgement, MAX_ACK_REASON_LENGTH } from '@shoal/protocol';
import { systemClock } from '../../src/platform/clock.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { rawRequest } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

/** A reject or release carries why the job failed; the dead-letter copy gets it as `shoal.dlq.error`. */
describe.each(STORAGE_KINDS)('share-group ack reasons over HTTP on %s', (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage), systemClock);
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  let n = 0;
  /** A fresh topic with `records` records, its dead-letter topic, and a group with delivery limit 2 and one member. */
  async function setup(records: number) {
    const { client } = broker;
    const [topic, dlq, group] = [`why-jobs-${++n}`, `why-dlq-${n}`, `why-workers-${n}`];
    await client.createTopic({ name: topic, partitions: 1 });
    await client.createTopic({ name: dlq, partitions: 1 });
    await client.produce(
      topic,
      Array.from({ length: records }, (_, i) => ({ value: { job: i } })),
    );
    await client.updateShareGroupConfig(group, {
      autoOffsetReset: 'earliest',
      deliveryCountLimit: 2,
      deadLetterTopic: dlq,
    });
    const { memberId } = await client.joinShareGroup(group, { topics: [topic] });
    const at = (offset: number, type: Acknowledgement['type'], reason?: string): Acknowledgement => ({
      topic,
      partition: 0,
      offset,
      type,
      ...(reason === undefined ? {} : { reason }),
    });
    const deadLetters = async () =>
      (await client.read(dlq, 0, { offset: 0, maxRecords: 100 })).records.map((r) => r.headers);
    return { topic, group, memberId, at, deadLetters };
  }

  it('a reject with a reason dead-letters the record with header shoal.dlq.error, by the acks route and piggy-backed', async () => {
    const { client } = broker;
    const { group, memberId, at, deadLetters } = await setup(3);
    await client.shareFetch(group, memberId, { maxRecords: 3 });
    const longest = 'x'.repeat(MAX_ACK_REASON_LENGTH - 1) + 'é';
    expect(
      await client.acknowledge(group, memberId, [at(0, 'reject', 'no recipient'), at(1, 'reject', longest)]),
    ).toEqual([
      expect.objectContaining({ offset: 0, error: null }),
      expect.objectContaining({ offset: 1, error: null }),
    ]);
    const answer = await client.shareFetch(group, memberId, { acks: [at(2, 'reject', 'schema: "to" missing')] });
    expect(answer.ackResults.map((r) => r.error)).toEqual([null]);
    const dead = await deadLetters();
    expect(dead.map((h) => [h['shoal.dlq.offset'], h['shoal.dlq.reason'], h['shoal.dlq.error']])).toEqual([
      ['0', 'rejected', 'no recipient'],
      ['1', 'rejected', longest],
      ['2', 'rejected', 'schema: "to" missing'],
    ]);
    expect(dead[0]).toMatchObject({ 'shoal.dlq.group': group, 'shoal.dlq.delivery-count': '1' });
  });

  it('a release with a reason dead-letters with shoal.dlq.error only when it archives at the delivery limit', async () => {
    const { client } = broker;
    const { group, memberId, at, deadLetters } = await setup(2);
    await client.shareFetch(group, memberId, { maxRecords: 2 });
    expect(
      (await client.acknowledge(group, memberId, [at(0, 'release', 'timeout 1'), at(1, 'release')])).map(
        (r) => r.error,
      ),
    ).toEqual([null, null]);
    expect(await deadLetters()).toEqual([]); // below the limit: released, the reason goes nowhere
    const again = await client.shareFetch(group, memberId, { maxRecords: 2 });
    expect(again.records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    await client.acknowledge(group, memberId, [at(0, 'release', 'timeout 2'), at(1, 'release')]);
    const dead = await deadLetters();
    expect(dead.map((h) => [h['shoal.dlq.offset'], h['shoal.dlq.reason'], h['shoal.dlq.error']])).toEqual([
      ['0', 'delivery_limit', 'timeout 2'],
      ['1', 'delivery_limit', undefined],
    ]);
    expect((await client.describeShareGroup(group)).partitions[0]).toMatchObject({ startOffset: 2, lag: 0 });
  });

  it('answers 400 INVALID_REQUEST for a reason too long, not a string, or on accept or renew, and applies nothing', async () => {
    const { client } = broker;
    const { group, memberId, at } = await setup(1);
    await client.shareFetch(group, memberId, { maxRecords: 1 });
    const bad = [
      { ...at(0, 'reject'), reason: 'x'.repeat(MAX_ACK_REASON_LENGTH + 1) },
      { ...at(0, 'release'), reason: 42 },
      { ...at(0, 'reject'), reason: null },
      { ...at(0, 'accept'), reason: 'fine' },
      { ...at(0, 'renew'), reason: 'still working' },
      { ...at(0, 'accept'), delivered: false },
      { ...at(0, 'release'), delivered: 'no' },
      { ...at(0, 'release'), delivered: false, delayMs: 1_000 },
    ];
    for (const entry of bad) {
      for (const route of ['acks', 'fetch']) {
        const answer = await rawRequest(
          `${broker.url}/v1/share-groups/${group}/members/${memberId}/${route}`,
          'POST',
          JSON.stringify({ acks: [at(0, 'renew'), entry] }),
        );
        expect([route, entry.type, answer.status, answer.body.error.code]).toEqual([
          route,
          entry.type,
          400,
          'INVALID_REQUEST',
        ]);
      }
    }
    expect((await client.describeShareGroup(group)).partitions[0]).toMatchObject({
      acquired: 1,
      archived: 0,
      acknowledged: 0,
    });
    expect(await client.acknowledge(group, memberId, [at(0, 'accept')])).toEqual([
      expect.objectContaining({ error: null }),
    ]);
  });

  it('a release with delivered: false gives the delivery back, by the acks route and piggy-backed', async () => {
    const { client } = broker;
    const { group, memberId, at } = await setup(2);
    const first = await client.shareFetch(group, memberId, { maxRecords: 2 });
    expect(first.records.map((r) => r.deliveryCount)).toEqual([1, 1]);
    expect(await client.acknowledge(group, memberId, [{ ...at(0, 'release'), delivered: false }])).toEqual([
      expect.objectContaining({ error: null }),
    ]);
    const again = await client.shareFetch(group, memberId, {
      maxRecords: 2,
      acks: [{ ...at(1, 'release'), delivered: false }],
    });
    expect(again.records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });
});
