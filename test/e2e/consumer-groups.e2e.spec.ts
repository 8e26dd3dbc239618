import type { ShoalHttpClient } from '@shoal/client';
import { type TestBroker, startBroker } from '../support/broker.js';
import { failure, rawRequest } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

/** One member's loop: fetch, check order, commit, until it has seen `until` records in all. */
async function consume(
  client: ShoalHttpClient,
  group: string,
  memberId: string,
  seen: Map<number, number[]>,
  until: () => boolean,
): Promise<void> {
  while (!until()) {
    const answer = await client.consumerFetch(group, memberId, { maxRecords: 50, maxWaitMs: 200 });
    const next = new Map<number, number>();
    for (const record of answer.records) {
      seen.set(record.partition, [...(seen.get(record.partition) ?? []), record.value as number]);
      next.set(record.partition, record.offset + 1);
    }
    const offsets = [...next].map(([partition, offset]) => ({ topic: 'fan-out', partition, offset }));
    if (offsets.length > 0) await client.commitOffsets(group, memberId, answer.generation, offsets);
  }
}

describe.each(STORAGE_KINDS)('consumer groups over HTTP on %s', (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage));
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('fans out: two groups each read every record exactly once, in order per partition', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'fan-out', partitions: 3 });
    const total = 600;
    const groups = ['fan-a', 'fan-b'];
    const members = await Promise.all(
      groups.flatMap((group) =>
        [0, 1].map(() => client.joinConsumerGroup(group, { topics: ['fan-out'], autoOffsetReset: 'earliest' })),
      ),
    );
    const seen = new Map(groups.map((g) => [g, new Map<number, number[]>()]));
    const count = (group: string) => [...seen.get(group)!.values()].reduce((n, values) => n + values.length, 0);
    const loops = members.map((m, i) =>
      consume(
        client,
        groups[Math.floor(i / 2)],
        m.memberId,
        seen.get(groups[Math.floor(i / 2)])!,
        () => count(groups[Math.floor(i / 2)]) >= total,
      ),
    );
    for (let i = 0; i < total; i += 50) {
      await client.produce(
        'fan-out',
        Array.from({ length: 50 }, (_, j) => ({ key: `k${(i + j) % 17}`, value: i + j })),
      );
    }
    await Promise.all(loops);
    for (const group of groups) {
      const byPartition = seen.get(group)!;
      const all = [...byPartition.values()].flat().sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: total }, (_, i) => i));
      for (const values of byPartition.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
      const described = await client.describeConsumerGroup(group);
      expect(described.offsets.every((o) => o.lag === 0)).toBe(true);
      expect(described.members).toHaveLength(2);
    }
  });

  it('answers every consumer-group error with its code', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'cg-errors', partitions: 2 });
    expect(await failure(client.joinConsumerGroup('bad group', { topics: ['cg-errors'] }))).toEqual({
      status: 400,
      code: 'INVALID_NAME',
    });
    expect(await failure(client.joinConsumerGroup('g', { topics: ['bad topic'] }))).toEqual({
      status: 400,
      code: 'INVALID_NAME',
    });
    expect(await failure(client.joinConsumerGroup('g', { topics: ['no-such'] }))).toEqual({
      status: 404,
      code: 'UNKNOWN_TOPIC',
    });
    expect(await failure(client.joinConsumerGroup('g', { topics: ['cg-errors'], sessionTimeoutMs: 999 }))).toEqual({
      status: 400,
      code: 'INVALID_REQUEST',
    });
    expect(await failure(client.joinConsumerGroup('g', { topics: [] }))).toEqual({
      status: 400,
      code: 'INVALID_REQUEST',
    });
    expect(await failure(client.consumerHeartbeat('g-errors', 'ghost'))).toEqual({
      status: 404,
      code: 'UNKNOWN_MEMBER',
    });
    expect(await failure(client.consumerFetch('g-errors', 'ghost'))).toEqual({ status: 404, code: 'UNKNOWN_MEMBER' });
    expect(await failure(client.leaveConsumerGroup('g-errors', 'ghost'))).toEqual({
      status: 404,
      code: 'UNKNOWN_MEMBER',
    });
    expect(await failure(client.describeConsumerGroup('g-errors'))).toEqual({ status: 404, code: 'UNKNOWN_GROUP' });
    expect(await failure(client.deleteConsumerGroup('g-errors'))).toEqual({ status: 404, code: 'UNKNOWN_GROUP' });
    expect(await failure(client.resetConsumerGroupOffsets('g-errors', { topic: 'cg-errors', to: 'earliest' }))).toEqual(
      { status: 404, code: 'UNKNOWN_GROUP' },
    );

    const member = await client.joinConsumerGroup('g-errors', { topics: ['cg-errors'] });
    expect(member.heartbeatIntervalMs).toBe(3000);
    expect(
      await failure(
        client.commitOffsets('g-errors', member.memberId, member.generation + 5, [
          { topic: 'cg-errors', partition: 0, offset: 0 },
        ]),
      ),
    ).toEqual({ status: 409, code: 'FENCED' });
    expect(await failure(client.deleteConsumerGroup('g-errors'))).toEqual({ status: 409, code: 'GROUP_NOT_EMPTY' });
    expect(await failure(client.resetConsumerGroupOffsets('g-errors', { topic: 'cg-errors', to: 'earliest' }))).toEqual(
      { status: 409, code: 'GROUP_NOT_EMPTY' },
    );
    const fetchBad = await rawRequest(
      `${broker.url}/v1/consumer-groups/g-errors/members/${member.memberId}/fetch`,
      'POST',
      JSON.stringify({ maxRecords: 0 }),
    );
    expect([fetchBad.status, fetchBad.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    const commitBad = await rawRequest(
      `${broker.url}/v1/consumer-groups/g-errors/offsets`,
      'POST',
      JSON.stringify({
        memberId: member.memberId,
        generation: 1,
        offsets: [{ topic: 'cg-errors', partition: -1, offset: 0 }],
      }),
    );
    expect([commitBad.status, commitBad.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    await client.commitOffsets('g-errors', member.memberId, member.generation, [
      { topic: 'cg-errors', partition: 0, offset: 0 },
    ]);
    await client.leaveConsumerGroup('g-errors', member.memberId);

    for (const to of ['middle', { offset: -1 }, { offset: 1, timestamp: 2 }, 5, null]) {
      const answer = await rawRequest(
        `${broker.url}/v1/consumer-groups/g-errors/offsets/reset`,
        'POST',
        JSON.stringify({ topic: 'cg-errors', to }),
      );
      expect([JSON.stringify(to), answer.status, answer.body.error.code]).toEqual([
        JSON.stringify(to),
        400,
        'INVALID_REQUEST',
      ]);
    }
    expect(
      await failure(client.resetConsumerGroupOffsets('g-errors', { topic: 'cg-errors', to: { offset: 3 } })),
    ).toEqual({ status: 400, code: 'OFFSET_OUT_OF_RANGE' });
    expect(await failure(client.resetConsumerGroupOffsets('g-errors', { topic: 'no-such', to: 'earliest' }))).toEqual({
      status: 404,
      code: 'UNKNOWN_TOPIC',
    });
    await client.resetConsumerGroupOffsets('g-errors', { topic: 'cg-errors', partition: 1, to: 'latest' });
    const deleted = await rawRequest(`${broker.url}/v1/consumer-groups/g-errors`, 'DELETE');
    expect(deleted.status).toBe(204);
  });
});
