import { systemClock } from '../../src/platform/clock.js';
import { encodeAssignment, encodeSubscription } from '../../src/kafka/groups/domain/consumer-protocol.js';
import { FindCoordinatorHandler } from '../../src/kafka/handlers/find-coordinator.handler.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

const FIND_COORDINATOR = 10;
const JOIN = 11;
const HEARTBEAT = 12;
const LEAVE = 13;
const SYNC = 14;
const DESCRIBE = 15;
const LIST = 16;
const COMMIT = 8;
const FETCH_OFFSETS = 9;

const NONE = 0;
const ILLEGAL_GENERATION = 22;
const UNKNOWN_MEMBER_ID = 25;
const REBALANCE_IN_PROGRESS = 27;
const MEMBER_ID_REQUIRED = 79;
const COORDINATOR_NOT_AVAILABLE = 15;

/** The group APIs over the wire (the project's codec), at the versions KafkaJS and librdkafka use. */
describe(`Kafka group APIs over the wire (${FindCoordinatorHandler.name} and the group handlers)`, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let port: number;
  let wire: KafkaWireClient;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(
      testConfig(storage.storage, { kafka: kafkaTestConfig(), kafkaGroupInitialRebalanceDelayMs: 0 }),
      systemClock,
    );
    port = kafkaPortOf(broker.app);
    wire = await KafkaWireClient.connect(port);
  });
  afterAll(async () => {
    wire.close();
    await broker.close();
    await storage.dispose();
  });

  const joinBody = (group: string, memberId: string) => ({
    groupId: group,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    protocolType: 'consumer',
    protocols: [{ name: 'RoundRobinAssigner', metadata: encodeSubscription(['wire-topic']) }],
  });

  it('names the answering broker as coordinator of every group and transactional id, and of no share state', async () => {
    const metadata = await wire.request(3, 9, { topics: null });
    const { nodeId } = (metadata['brokers'] as { nodeId: number }[])[0];
    for (const version of [0, 1, 2]) {
      const answer = await wire.request(FIND_COORDINATOR, version, { key: 'any-group', keyType: 0 });
      expect(answer).toMatchObject({ errorCode: NONE, nodeId, host: '127.0.0.1', port });
    }
    expect(await wire.request(FIND_COORDINATOR, 2, { key: 'tx', keyType: 1 })).toMatchObject({
      errorCode: NONE,
      nodeId,
      host: '127.0.0.1',
      port,
    });
    expect((await wire.request(FIND_COORDINATOR, 2, { key: 'share', keyType: 2 }))['errorCode']).toBe(
      COORDINATOR_NOT_AVAILABLE,
    );
  });

  it('runs join (MEMBER_ID_REQUIRED from v4), sync, heartbeat, commit, fetch, describe, list and leave', async () => {
    await broker.client.createTopic({ name: 'wire-topic', partitions: 2 });
    const first = await wire.request(JOIN, 4, joinBody('wire-group', ''));
    expect(first).toMatchObject({ errorCode: MEMBER_ID_REQUIRED, generationId: -1 });
    const memberId = first['memberId'] as string;
    const joined = await wire.request(JOIN, 4, joinBody('wire-group', memberId));
    expect(joined).toMatchObject({ errorCode: NONE, generationId: 1, leader: memberId, memberId });
    expect(joined['protocolName']).toBe('RoundRobinAssigner');
    const assignment = encodeAssignment([{ topic: 'wire-topic', partitions: [0, 1] }]);
    const synced = await wire.request(SYNC, 3, {
      groupId: 'wire-group',
      generationId: 1,
      memberId,
      groupInstanceId: null,
      assignments: [{ memberId, assignment }],
    });
    expect(synced).toMatchObject({ errorCode: NONE });
    expect(Buffer.from(synced['assignment'] as Buffer).equals(assignment)).toBe(true);

    const beat = (generationId: number, member = memberId) =>
      wire.request(HEARTBEAT, 3, { groupId: 'wire-group', generationId, memberId: member, groupInstanceId: null });
    expect((await beat(1))['errorCode']).toBe(NONE);
    expect((await beat(0))['errorCode']).toBe(ILLEGAL_GENERATION);
    expect((await beat(1, 'stranger'))['errorCode']).toBe(UNKNOWN_MEMBER_ID);

    const commit = await wire.request(COMMIT, 2, {
      groupId: 'wire-group',
      generationId: 1,
      memberId,
      retentionTimeMs: -1,
      topics: [{ name: 'wire-topic', partitions: [{ partitionIndex: 1, committedOffset: 5, committedMetadata: '' }] }],
    });
    expect(commit['topics']).toMatchObject([
      { name: 'wire-topic', partitions: [{ partitionIndex: 1, errorCode: NONE }] },
    ]);
    const fetched = await wire.request(FETCH_OFFSETS, 2, { groupId: 'wire-group', topics: null });
    expect(fetched['topics']).toMatchObject([
      {
        name: 'wire-topic',
        partitions: [{ partitionIndex: 1, committedOffset: 5, metadata: '', errorCode: NONE }],
      },
    ]);
    expect((await broker.client.describeConsumerGroup('wire-group')).offsets).toContainEqual(
      expect.objectContaining({ topic: 'wire-topic', partition: 1, committedOffset: 5 }),
    );

    // A second member opens a round: the first one's heartbeat says so, its rejoin ends the round.
    const second = (await wire.request(JOIN, 4, joinBody('wire-group', '')))['memberId'] as string;
    const other = await KafkaWireClient.connect(port);
    const secondJoin = other.request(JOIN, 4, joinBody('wire-group', second));
    let rebalancing = false;
    for (let i = 0; i < 100 && !rebalancing; i++) rebalancing = (await beat(1))['errorCode'] === REBALANCE_IN_PROGRESS;
    expect(rebalancing).toBe(true);
    const rejoined = await wire.request(JOIN, 4, joinBody('wire-group', memberId));
    expect(rejoined).toMatchObject({ errorCode: NONE, generationId: 2, leader: memberId });
    expect((rejoined['members'] as unknown[]).length).toBe(2);
    expect(await secondJoin).toMatchObject({ errorCode: NONE, generationId: 2, leader: memberId, members: [] });
    other.close();

    const described = await wire.request(DESCRIBE, 2, { groups: ['wire-group', 'wire-none'] });
    expect(described['groups']).toMatchObject([
      { errorCode: NONE, groupId: 'wire-group', groupState: 'CompletingRebalance', protocolType: 'consumer' },
      { errorCode: NONE, groupId: 'wire-none', groupState: 'Dead' },
    ]);
    expect((await wire.request(LIST, 2, {}))['groups']).toContainEqual(
      expect.objectContaining({ groupId: 'wire-group', protocolType: 'consumer' }),
    );
    const listed = async (states: string[]) =>
      ((await wire.request(LIST, 4, { states }))['groups'] as { groupId: string; groupState: string }[]).filter(
        (g) => g.groupId === 'wire-group',
      );
    expect(await listed(['CompletingRebalance'])).toEqual([
      expect.objectContaining({ groupState: 'CompletingRebalance' }),
    ]);
    expect(await listed(['Stable'])).toEqual([]);

    const left = await wire.request(LEAVE, 3, {
      groupId: 'wire-group',
      members: [
        { memberId, groupInstanceId: null },
        { memberId: second, groupInstanceId: null },
        { memberId: 'stranger', groupInstanceId: null },
      ],
    });
    expect(left).toMatchObject({ errorCode: NONE });
    expect((left['members'] as { errorCode: number }[]).map((m) => m.errorCode)).toEqual([
      NONE,
      NONE,
      UNKNOWN_MEMBER_ID,
    ]);
    expect((await wire.request(LEAVE, 0, { groupId: 'wire-group', memberId }))['errorCode']).toBe(UNKNOWN_MEMBER_ID);
    expect(await broker.client.describeConsumerGroup('wire-group')).toMatchObject({
      protocol: 'kafka',
      state: 'empty',
      members: [],
    });
  });
});
