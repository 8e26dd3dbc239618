import {
  assignedPartitions,
  encodeAssignment,
  encodeSubscription,
} from '../../src/kafka/groups/domain/consumer-protocol.js';
import { type JoinAnswer, type KafkaJoin, KafkaGroupService } from '../../src/kafka/groups/kafka-group.service.js';
import { KafkaOffsetsService } from '../../src/kafka/groups/kafka-offsets.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

/** Any broker on one PostgreSQL coordinates any group: its whole state is in the database. */
describe(`${KafkaGroupService.name} across two brokers on one PostgreSQL`, () => {
  let storage: TestStorage;
  let one: LogContext;
  let two: LogContext;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    one = await openLogContext('postgres', Date.now(), storage, { kafkaGroupInitialRebalanceDelayMs: 0 });
    two = await openLogContext('postgres', Date.now(), storage, { kafkaGroupInitialRebalanceDelayMs: 0 });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await storage.dispose();
  });

  const join = (broker: LogContext, memberId: string): Promise<JoinAnswer> =>
    broker.service(KafkaGroupService).join('kb-group', {
      memberId,
      clientId: 'kb',
      clientHost: '',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 20_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeSubscription(['kb-topic']) }],
      requireKnownMemberId: true,
    } satisfies KafkaJoin);
  const protocol = { type: 'consumer', name: 'range' };

  it('runs one group’s rounds, syncs and commits through two brokers, each woken by the other’s commits', async () => {
    await one.topics.create('kb-topic', 2, undefined);
    const a = (await join(one, '')).memberId;
    const first = await join(one, a);
    await one
      .service(KafkaGroupService)
      .sync('kb-group', a, first.generationId, protocol, [
        { memberId: a, assignment: encodeAssignment([{ topic: 'kb-topic', partitions: [0, 1] }]) },
      ]);

    const b = (await join(two, '')).memberId;
    const bJoin = join(two, b); // waits on broker two for a, who is served by broker one
    let beat = 'NONE';
    for (let i = 0; i < 200 && beat !== 'REBALANCE_IN_PROGRESS'; i++)
      beat = await one.service(KafkaGroupService).heartbeat('kb-group', a, first.generationId);
    expect(beat).toBe('REBALANCE_IN_PROGRESS');
    const aJoin = await join(one, a);
    const bJoined = await bJoin;
    expect(bJoined).toMatchObject({ error: 'NONE', generationId: aJoin.generationId, leader: a });

    const bSync = two.service(KafkaGroupService).sync('kb-group', b, bJoined.generationId, protocol, []);
    await one.service(KafkaGroupService).sync('kb-group', a, aJoin.generationId, protocol, [
      { memberId: a, assignment: encodeAssignment([{ topic: 'kb-topic', partitions: [0] }]) },
      { memberId: b, assignment: encodeAssignment([{ topic: 'kb-topic', partitions: [1] }]) },
    ]);
    expect(assignedPartitions((await bSync).assignment)).toEqual([{ topic: 'kb-topic', partitions: [1] }]);

    const committed = await two
      .service(KafkaOffsetsService)
      .commit('kb-group', b, bJoined.generationId, [
        { name: 'kb-topic', partitions: [{ partitionIndex: 1, committedOffset: 3 }] },
      ]);
    expect(committed[0].partitions[0].error).toBe('NONE');
    const described = await one.groups.describe('kb-group');
    expect(described).toMatchObject({ protocol: 'kafka', state: 'stable' });
    expect(described.members.map((m) => m.assignment)).toEqual(
      expect.arrayContaining([[{ topic: 'kb-topic', partition: 0 }], [{ topic: 'kb-topic', partition: 1 }]]),
    );
    expect(described.offsets.find((o) => o.partition === 1)?.committedOffset).toBe(3);
  });
});
