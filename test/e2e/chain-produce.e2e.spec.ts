import type { Acknowledgement } from '@shoal/protocol';
import { systemClock } from '../../src/platform/clock.js';
import { brokerPerSuite } from '../support/broker.js';
import { failure, rawRequest } from '../support/http.js';
import { STORAGE_KINDS } from '../support/storage.js';

/**
 * Exactly-once job chaining over HTTP (issue 26): acks and consumer-group commits carry records
 * to produce, appended in the same transaction or not at all.
 */
describe.each(STORAGE_KINDS)('acknowledge or commit and produce in one transaction on %s', (kind) => {
  const suite = brokerPerSuite(kind, systemClock);
  let n = 0;

  /** A job topic with `jobs` records, an output topic, and a share group with one member that holds them all. */
  async function holding(jobs: number) {
    const { client } = suite.broker;
    const [topic, out, group] = [`chain-in-${++n}`, `chain-out-${n}`, `chain-g-${n}`];
    await client.createTopic({ name: topic, partitions: 1 });
    await client.createTopic({ name: out, partitions: 2 });
    await client.produce(
      topic,
      Array.from({ length: jobs }, (_, i) => ({ value: { job: i } })),
    );
    await client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest' });
    const { memberId } = await client.joinShareGroup(group, { topics: [topic] });
    expect((await client.shareFetch(group, memberId, { maxRecords: jobs })).records).toHaveLength(jobs);
    const ack = (offset: number, type: Acknowledgement['type'] = 'accept') => ({ topic, partition: 0, offset, type });
    const output = async () =>
      (await Promise.all([0, 1].map((p) => client.read(out, p, { offset: 0, maxRecords: 100 })))).flatMap((r) =>
        r.records.map((record) => record.value),
      );
    return { topic, out, group, memberId, ack, output };
  }

  it('an accept produces its records with it, once: a second accept of the job is refused and produces nothing', async () => {
    const { client } = suite.broker;
    const { out, group, memberId, ack, output } = await holding(2);
    const produce = [{ topic: out, records: [{ key: 'a', value: { step: 2, of: 0 } }] }];
    const answer = await client.acknowledgeProducing(group, memberId, { acks: [{ ...ack(0), produce }, ack(1)] });
    expect(answer.results.map((r) => r.error)).toEqual([null, null]);
    expect(answer.results[0].produced).toEqual([[{ partition: expect.any(Number), offset: 0 }]]);
    expect(answer.results[1].produced).toBeUndefined();
    // The same request again (a retry after a lost answer): the ack applies once, so nothing more.
    const again = await client.acknowledgeProducing(group, memberId, { acks: [{ ...ack(0), produce }] });
    expect(again.results.map((r) => [r.error, r.produced])).toEqual([['INVALID_RECORD_STATE', undefined]]);
    // And again piggy-backed on a fetch: refused, nothing produced.
    const fetched = await client.shareFetch(group, memberId, { acks: [{ ...ack(0), produce }], maxWaitMs: 0 });
    expect(fetched.ackResults.map((r) => [r.error, r.produced])).toEqual([['INVALID_RECORD_STATE', undefined]]);
    expect(await output()).toEqual([{ step: 2, of: 0 }]);
  });

  it("a request's own produce list needs every ack: one refused, nothing of the request stands", async () => {
    const { client } = suite.broker;
    const { out, group, memberId, ack, output } = await holding(2);
    const produce = [{ topic: out, records: [{ value: 'both done' }] }];
    const refused = await client.acknowledgeProducing(group, memberId, { acks: [ack(0), ack(5)], produce });
    expect(refused.results.map((r) => r.error)).toEqual(['TRANSACTION_ABORTED', 'INVALID_RECORD_STATE']);
    expect(refused.produced).toBeUndefined();
    expect(await output()).toEqual([]);
    // Job 0 is still held by the member: it was not accepted.
    const applied = await client.acknowledgeProducing(group, memberId, { acks: [ack(0), ack(1)], produce });
    expect(applied.results.map((r) => r.error)).toEqual([null, null]);
    expect(applied.produced).toEqual([[{ partition: expect.any(Number), offset: 0 }]]);
    expect(await output()).toEqual(['both done']);
  });

  it('piggy-backed on a fetch, a reject may produce (a compensating step); a release may not', async () => {
    const { client } = suite.broker;
    const { out, group, memberId, ack, output } = await holding(1);
    const bad = await rawRequest(
      `${suite.broker.url}/v1/share-groups/${group}/members/${memberId}/fetch`,
      'POST',
      JSON.stringify({ acks: [{ ...ack(0, 'release'), produce: [{ topic: out, records: [{ value: 1 }] }] }] }),
    );
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    const produce = [{ topic: out, records: [{ value: 'undo job 0', idempotencyKey: 'undo-0' }] }];
    const answer = await client.shareFetch(group, memberId, { acks: [{ ...ack(0, 'reject'), produce }], maxWaitMs: 0 });
    expect(answer.ackResults.map((r) => [r.error, r.produced?.[0].length])).toEqual([[null, 1]]);
    expect(await output()).toEqual(['undo job 0']);
  });

  it('takes the produce route’s limits: 10,000 records in all per request, each record checked', async () => {
    const { out, group, memberId, ack } = await holding(2);
    const path = `${suite.broker.url}/v1/share-groups/${group}/members/${memberId}/acks`;
    const records = (count: number) => Array.from({ length: count }, () => ({ value: 1 }));
    const tooMany = await rawRequest(
      path,
      'POST',
      JSON.stringify({
        acks: [{ ...ack(0), produce: [{ topic: out, records: records(5_000) }] }],
        produce: [{ topic: out, records: records(5_001) }],
      }),
    );
    expect([tooMany.status, tooMany.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    const malformed = await rawRequest(
      path,
      'POST',
      JSON.stringify({
        acks: [{ ...ack(1), produce: [{ topic: out, records: [{ value: 1, valueBase64: 'AA==' }] }] }],
      }),
    );
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'INVALID_RECORD']);
    expect(malformed.body.error.message).toMatch(/^acks\[0\]\.produce\[0\]\.records\[0\]: /);
    // Nothing applied: both jobs are still held.
    const answer = await suite.broker.client.acknowledge(group, memberId, [ack(0), ack(1)]);
    expect(answer.map((r) => r.error)).toEqual([null, null]);
  });

  it('an unknown output topic rolls the acks back; delays and idempotency keys take the jobs’ path in the same transaction', async () => {
    const { client } = suite.broker;
    const { out, group, memberId, ack, output } = await holding(1);
    const missing = [{ topic: 'no-such-topic', records: [{ value: 1 }] }];
    expect(await failure(client.shareFetch(group, memberId, { acks: [{ ...ack(0), produce: missing }] }))).toEqual({
      status: 404,
      code: 'UNKNOWN_TOPIC',
    });
    expect(
      await failure(client.acknowledgeProducing(group, memberId, { acks: [{ ...ack(0), produce: missing }] })),
    ).toEqual({ status: 404, code: 'UNKNOWN_TOPIC' });
    const produce = [
      {
        topic: out,
        records: [
          { value: 'now', idempotencyKey: 'k1' },
          { value: 'dup', idempotencyKey: 'k1' },
          { value: 'later', delayMs: 3_600_000 },
        ],
      },
      { topic: out, records: [{ value: 'plain', partition: 1 }] },
    ];
    const answer = await client.acknowledgeProducing(group, memberId, { acks: [{ ...ack(0), produce }] });
    const [positions] = answer.results[0].produced!;
    expect(positions[1]).toMatchObject({ duplicate: true, offset: positions[0].offset });
    expect(positions[2]).toMatchObject({ offset: -1, scheduledId: expect.any(String) });
    expect(answer.results[0].produced![1]).toEqual([{ partition: 1, offset: expect.any(Number) }]);
    expect((await output()).sort()).toEqual(['now', 'plain']);
  });

  it('a consumer group commits offsets and produces together; a stale generation produces nothing (409 FENCED)', async () => {
    const { client } = suite.broker;
    const [topic, out, group] = [`cg-in-${++n}`, `cg-out-${n}`, `cg-${n}`];
    await client.createTopic({ name: topic, partitions: 1 });
    await client.createTopic({ name: out, partitions: 1 });
    await client.produce(topic, [{ value: 'x' }]);
    const { memberId, generation } = await client.joinConsumerGroup(group, {
      topics: [topic],
      autoOffsetReset: 'earliest',
    });
    await client.consumerFetch(group, memberId, { maxRecords: 10 });
    const offsets = [{ topic, partition: 0, offset: 1 }];
    const produce = [{ topic: out, records: [{ value: 'X' }] }];
    expect(await failure(client.commitOffsetsProducing(group, memberId, generation + 1, offsets, produce))).toEqual({
      status: 409,
      code: 'FENCED',
    });
    expect((await client.read(out, 0, { offset: 0 })).records).toEqual([]);
    expect(await client.commitOffsetsProducing(group, memberId, generation, offsets, produce)).toEqual([
      [{ partition: 0, offset: 0 }],
    ]);
    expect((await client.read(out, 0, { offset: 0 })).records.map((r) => r.value)).toEqual(['X']);
    const described = await client.describeConsumerGroup(group);
    expect(described.offsets).toEqual([expect.objectContaining({ topic, partition: 0, committedOffset: 1 })]);
  });
});
