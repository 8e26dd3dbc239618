import type { Acknowledgement } from '@shoal/protocol';
import { type TestBroker, startBroker } from '../support/broker.js';
import { failure, rawRequest } from '../support/http.js';
import { seededRandom } from '../support/seeded-random.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';
import { systemClock } from '../../src/platform/clock.js';

describe.each(STORAGE_KINDS)('share groups over HTTP on %s', (kind) => {
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

  it('8 members drain 10,000 jobs on 2 partitions: good ones accepted once, poison ones dead-lettered after 5 deliveries', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'jobs', partitions: 2 });
    await client.createTopic({ name: 'jobs.dlq', partitions: 1 });
    await client.updateShareGroupConfig('workers', { autoOffsetReset: 'earliest', deadLetterTopic: 'jobs.dlq' });
    const total = 10_000;
    const poison = new Set(Array.from({ length: total }, (_, i) => i).filter((i) => i % 200 === 17)); // 0.5%
    const where: { partition: number; offset: number }[] = [];
    for (let i = 0; i < total; i += 1_000) {
      const { offsets } = await client.produce(
        'jobs',
        Array.from({ length: 1_000 }, (_, j) => ({ value: { job: i + j, poison: poison.has(i + j) } })),
      );
      where.push(...offsets);
    }
    const accepted = new Map<number, number>();
    const poisonDeliveries = new Map<number, number>();
    const random = seededRandom(5);
    let done = false;
    const worker = async () => {
      const { memberId } = await client.joinShareGroup('workers', { topics: ['jobs'] });
      let acks: Acknowledgement[] = [];
      while (!done) {
        const answer = await client.shareFetch('workers', memberId, { maxRecords: 100, maxWaitMs: 100, acks });
        expect(answer.ackResults.every((r) => r.error === null)).toBe(true);
        acks = answer.records.map((r) => {
          const { job, poison: bad } = r.value as { job: number; poison: boolean };
          const ack = { topic: r.topic, partition: r.partition, offset: r.offset };
          if (bad) {
            poisonDeliveries.set(job, Math.max(poisonDeliveries.get(job) ?? 0, r.deliveryCount));
            return { ...ack, type: 'release' as const };
          }
          // Good jobs are released now and then, but never on a delivery that could reach the
          // limit of 5: five releases in a row would dead-letter a good job (1 run in ~300).
          if (r.deliveryCount < 4 && random.next() < 0.05) return { ...ack, type: 'release' as const };
          accepted.set(job, (accepted.get(job) ?? 0) + 1);
          return { ...ack, type: 'accept' as const };
        });
      }
      if (acks.length > 0) await client.acknowledge('workers', memberId, acks);
      await client.leaveShareGroup('workers', memberId);
    };
    const workers = Array.from({ length: 8 }, worker);
    // Bounded below jest's 60 s, so that a drain that stalls fails on what is missing, not on the timeout.
    const deadline = Date.now() + 45_000;
    let lags: number[] = [];
    while (!done && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const described = await client.describeShareGroup('workers');
      lags = described.partitions.map((p) => p.lag);
      done = accepted.size === total - poison.size && lags.length === 2 && lags.every((lag) => lag === 0);
    }
    done = true;
    await Promise.all(workers);

    // A good job never accepted: where it is and what the group says of it, in the failure.
    const missing = await Promise.all(
      where
        .map((position, job) => ({ job, ...position }))
        .filter(({ job }) => !poison.has(job) && !accepted.has(job))
        .slice(0, 5)
        .map(async (m) => ({ ...m, view: await client.shareJob('workers', 'jobs', m.partition, m.offset) })),
    );
    expect({ accepted: accepted.size, lags, missing }).toEqual({
      accepted: total - poison.size,
      lags: [0, 0],
      missing: [],
    });
    expect([...accepted.values()].every((count) => count === 1)).toBe(true);
    expect([...poisonDeliveries.values()]).toEqual([...poison].map(() => 5));
    const dead = await client.read('jobs.dlq', 0, { offset: 0, maxRecords: 1_000 });
    expect(dead.records.map((r) => (r.value as { job: number }).job).sort((a, b) => a - b)).toEqual([...poison]);
    expect(
      dead.records.every(
        (r) => r.headers['shoal.dlq.reason'] === 'delivery_limit' && r.headers['shoal.dlq.delivery-count'] === '5',
      ),
    ).toBe(true);
  });

  it('answers every share-group error with its code', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'sg-errors', partitions: 1 });
    expect(await failure(client.joinShareGroup('bad group', { topics: ['sg-errors'] }))).toEqual({
      status: 400,
      code: 'INVALID_NAME',
    });
    expect(await failure(client.joinShareGroup('sg', { topics: ['no-such'] }))).toEqual({
      status: 404,
      code: 'UNKNOWN_TOPIC',
    });
    expect(await failure(client.joinShareGroup('sg', { topics: ['sg-errors'], sessionTimeoutMs: 3_600_001 }))).toEqual({
      status: 400,
      code: 'INVALID_REQUEST',
    });
    expect(await failure(client.shareHeartbeat('sg-none', 'ghost'))).toEqual({ status: 404, code: 'UNKNOWN_MEMBER' });
    expect(await failure(client.shareFetch('sg-none', 'ghost'))).toEqual({ status: 404, code: 'UNKNOWN_MEMBER' });
    expect(await failure(client.acknowledge('sg-none', 'ghost', []))).toEqual({ status: 404, code: 'UNKNOWN_MEMBER' });
    expect(await failure(client.leaveShareGroup('sg-none', 'ghost'))).toEqual({ status: 404, code: 'UNKNOWN_MEMBER' });
    expect(await failure(client.describeShareGroup('sg-none'))).toEqual({ status: 404, code: 'UNKNOWN_GROUP' });
    expect(await failure(client.deleteShareGroup('sg-none'))).toEqual({ status: 404, code: 'UNKNOWN_GROUP' });
    expect(await failure(client.resetShareGroupOffsets('sg-none', { topic: 'sg-errors', to: 'latest' }))).toEqual({
      status: 404,
      code: 'UNKNOWN_GROUP',
    });
    // Each range's both ends (checked at the edge only, so over HTTP).
    const outOfRange = [
      { recordLockDurationMs: 999 },
      { recordLockDurationMs: 3_600_001 },
      { deliveryCountLimit: 0 },
      { deliveryCountLimit: 1001 },
      { maxInFlightRecordsPerPartition: 99 },
    ];
    for (const change of [
      ...outOfRange,
      { recordLockDurationMs: 500 },
      { maxInFlightRecordsPerPartition: 10_001 },
      { autoOffsetReset: 'never' },
    ]) {
      expect(await failure(client.updateShareGroupConfig('sg', change as never))).toEqual({
        status: 400,
        code: 'INVALID_CONFIG',
      });
    }
    expect(await failure(client.updateShareGroupConfig('sg', { deadLetterTopic: 'no-such' }))).toEqual({
      status: 404,
      code: 'UNKNOWN_TOPIC',
    });

    const { memberId } = await client.joinShareGroup('sg', { topics: ['sg-errors'] });
    expect(await failure(client.deleteShareGroup('sg'))).toEqual({ status: 409, code: 'GROUP_NOT_EMPTY' });
    expect(await failure(client.resetShareGroupOffsets('sg', { topic: 'sg-errors', to: 'earliest' }))).toEqual({
      status: 409,
      code: 'GROUP_NOT_EMPTY',
    });
    const malformed = [
      { acks: [{ topic: 'sg-errors', partition: 0, offset: 0, type: 'maybe' }] },
      { acks: [{ topic: 'sg-errors', partition: 0, offset: 5, lastOffset: 4, type: 'accept' }] },
      { acks: [{ topic: 'sg-errors', partition: 0, offset: 0, type: 'accept', delayMs: 10 }] },
      { acks: [{ topic: 'sg-errors', partition: -1, offset: 0, type: 'accept' }] },
      { acks: 'all' },
    ];
    for (const body of malformed) {
      const answer = await rawRequest(
        `${broker.url}/v1/share-groups/sg/members/${memberId}/acks`,
        'POST',
        JSON.stringify(body),
      );
      expect([JSON.stringify(body), answer.status, answer.body.error.code]).toEqual([
        JSON.stringify(body),
        400,
        'INVALID_REQUEST',
      ]);
    }
    expect(
      await client.acknowledge('sg', memberId, [{ topic: 'sg-errors', partition: 0, offset: 0, type: 'accept' }]),
    ).toEqual([{ topic: 'sg-errors', partition: 0, offset: 0, error: 'INVALID_RECORD_STATE' }]);
    await client.leaveShareGroup('sg', memberId);
    await client.resetShareGroupOffsets('sg', { topic: 'sg-errors', to: 'earliest' });
    const deleted = await rawRequest(`${broker.url}/v1/share-groups/sg`, 'DELETE');
    expect(deleted.status).toBe(204);
  });
});
