import { systemClock } from '../../src/platform/clock.js';
import { encodeAssignment, encodeSubscription } from '../../src/kafka/groups/domain/consumer-protocol.js';
import { JoinGroupHandler } from '../../src/kafka/handlers/join-group.handler.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

const COMMIT = 8;
const JOIN = 11;
const HEARTBEAT = 12;
const LEAVE = 13;
const SYNC = 14;
const DESCRIBE = 15;

const NONE = 0;
const REBALANCE_IN_PROGRESS = 27;
const MEMBER_ID_REQUIRED = 79;
const FENCED_INSTANCE_ID = 82;

/** JoinGroup v5–v9, SyncGroup v3–v5, Heartbeat v3–v4, LeaveGroup v3–v5 and static membership (KIP-345) on the wire. */
describe.each(STORAGE_KINDS)(`${JoinGroupHandler.name} at librdkafka's versions, static membership, on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  let port: number;
  let wire: KafkaWireClient;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
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

  const joinBody = (group: string, topic: string, memberId: string, groupInstanceId: string | null = null) => ({
    groupId: group,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription([topic]) }],
    reason: null,
  });

  it('runs a dynamic member through the flexible versions: JoinGroup v9, SyncGroup v5, Heartbeat v4, LeaveGroup v5', async () => {
    await broker.client.createTopic({ name: 'flex-topic', partitions: 1 });
    const first = await wire.request(JOIN, 9, joinBody('flex-group', 'flex-topic', ''));
    expect(first).toMatchObject({ errorCode: MEMBER_ID_REQUIRED });
    const memberId = first['memberId'] as string;
    const joined = await wire.request(JOIN, 9, joinBody('flex-group', 'flex-topic', memberId));
    expect(joined).toMatchObject({
      errorCode: NONE,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: memberId,
      skipAssignment: false,
      memberId,
      members: [expect.objectContaining({ memberId, groupInstanceId: null })],
    });
    const assignment = encodeAssignment([{ topic: 'flex-topic', partitions: [0] }]);
    const synced = await wire.request(SYNC, 5, {
      groupId: 'flex-group',
      generationId: 1,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId, assignment }],
    });
    expect(synced).toMatchObject({ errorCode: NONE, protocolType: 'consumer', protocolName: 'range' });
    expect(Buffer.from(synced['assignment'] as Buffer).equals(assignment)).toBe(true);
    const beat = await wire.request(HEARTBEAT, 4, {
      groupId: 'flex-group',
      generationId: 1,
      memberId,
      groupInstanceId: null,
    });
    expect(beat['errorCode']).toBe(NONE);
    const left = await wire.request(LEAVE, 5, {
      groupId: 'flex-group',
      members: [{ memberId, groupInstanceId: null, reason: 'shutting down' }],
    });
    expect(left).toMatchObject({ errorCode: NONE, members: [{ memberId, groupInstanceId: null, errorCode: NONE }] });
  });

  it('takes a restarted static member back without a rebalance, and fences the id it had', async () => {
    await broker.client.createTopic({ name: 'static-topic', partitions: 2 });
    const group = 'static-group';
    // A static member joins without MEMBER_ID_REQUIRED and leads generation 1.
    const a = await wire.request(JOIN, 5, joinBody(group, 'static-topic', '', 'inst-a'));
    expect(a).toMatchObject({ errorCode: NONE, generationId: 1 });
    const aId = a['memberId'] as string;
    expect(aId.startsWith('inst-a-')).toBe(true);
    expect(a['members']).toEqual([expect.objectContaining({ memberId: aId, groupInstanceId: 'inst-a' })]);
    const sync = (client: KafkaWireClient, memberId: string, generationId: number, instance: string, given = {}) =>
      client.request(SYNC, 3, {
        groupId: group,
        generationId,
        memberId,
        groupInstanceId: instance,
        assignments: Object.entries(given).map(([id, assignment]) => ({ memberId: id, assignment })),
      });
    const heartbeat = (memberId: string, generationId: number, instance: string) =>
      wire.request(HEARTBEAT, 3, { groupId: group, generationId, memberId, groupInstanceId: instance });
    expect((await sync(wire, aId, 1, 'inst-a', { [aId]: encodeAssignment([]) }))['errorCode']).toBe(NONE);

    // A second static member opens generation 2.
    const other = await KafkaWireClient.connect(port);
    try {
      const bJoin = other.request(JOIN, 5, joinBody(group, 'static-topic', '', 'inst-b'));
      let rebalancing = false;
      for (let i = 0; i < 100 && !rebalancing; i++)
        rebalancing = (await heartbeat(aId, 1, 'inst-a'))['errorCode'] === REBALANCE_IN_PROGRESS;
      expect(rebalancing).toBe(true);
      const aAgain = await wire.request(JOIN, 5, joinBody(group, 'static-topic', aId, 'inst-a'));
      const b = await bJoin;
      expect(aAgain).toMatchObject({ errorCode: NONE, generationId: 2, leader: aId });
      expect(b).toMatchObject({ errorCode: NONE, generationId: 2, leader: aId, members: [] });
      const bId = b['memberId'] as string;
      const bAssignment = encodeAssignment([{ topic: 'static-topic', partitions: [1] }]);
      const bSync = sync(other, bId, 2, 'inst-b');
      expect(
        (
          await sync(wire, aId, 2, 'inst-a', {
            [aId]: encodeAssignment([{ topic: 'static-topic', partitions: [0] }]),
            [bId]: bAssignment,
          })
        )['errorCode'],
      ).toBe(NONE);
      expect((await bSync)['errorCode']).toBe(NONE);

      // B restarts: same instance id, no member id. It is answered at once, in generation 2.
      const restarted = await other.request(JOIN, 5, joinBody(group, 'static-topic', '', 'inst-b'));
      expect(restarted).toMatchObject({ errorCode: NONE, generationId: 2, leader: aId, members: [] });
      const b2Id = restarted['memberId'] as string;
      expect(b2Id).not.toBe(bId);
      // No rebalance: the leader's heartbeat is fine, the group Stable, B's assignment kept.
      expect((await heartbeat(aId, 2, 'inst-a'))['errorCode']).toBe(NONE);
      const resynced = await sync(other, b2Id, 2, 'inst-b');
      expect(resynced['errorCode']).toBe(NONE);
      expect(Buffer.from(resynced['assignment'] as Buffer).equals(bAssignment)).toBe(true);
      const described = await wire.request(DESCRIBE, 4, { groups: [group], includeAuthorizedOperations: false });
      const [g] = described['groups'] as { groupState: string; members: Record<string, unknown>[] }[];
      expect(g.groupState).toBe('Stable');
      expect(g.members.map((m) => [m['memberId'], m['groupInstanceId']]).sort()).toEqual(
        [
          [aId, 'inst-a'],
          [b2Id, 'inst-b'],
        ].sort(),
      );
      expect((await broker.client.describeConsumerGroup(group)).generation).toBe(2);

      // The replaced id is fenced wherever it shows up with its instance id.
      expect((await heartbeat(bId, 2, 'inst-b'))['errorCode']).toBe(FENCED_INSTANCE_ID);
      expect((await sync(wire, bId, 2, 'inst-b'))['errorCode']).toBe(FENCED_INSTANCE_ID);
      expect((await wire.request(JOIN, 5, joinBody(group, 'static-topic', bId, 'inst-b')))['errorCode']).toBe(
        FENCED_INSTANCE_ID,
      );
      const commit = await wire.request(COMMIT, 7, {
        groupId: group,
        generationId: 2,
        memberId: bId,
        groupInstanceId: 'inst-b',
        topics: [
          { name: 'static-topic', partitions: [{ partitionIndex: 1, committedOffset: 1, committedMetadata: null }] },
        ],
      });
      expect(commit['topics']).toMatchObject([{ partitions: [{ partitionIndex: 1, errorCode: FENCED_INSTANCE_ID }] }]);
      const stale = await wire.request(LEAVE, 3, {
        groupId: group,
        members: [{ memberId: bId, groupInstanceId: 'inst-b' }],
      });
      expect(stale['members']).toMatchObject([{ errorCode: FENCED_INSTANCE_ID }]);
      // The new id commits; a static member may leave by its instance id alone.
      const ok = await wire.request(COMMIT, 7, {
        groupId: group,
        generationId: 2,
        memberId: b2Id,
        groupInstanceId: 'inst-b',
        topics: [
          { name: 'static-topic', partitions: [{ partitionIndex: 1, committedOffset: 1, committedMetadata: null }] },
        ],
      });
      expect(ok['topics']).toMatchObject([{ partitions: [{ partitionIndex: 1, errorCode: NONE }] }]);
      const left = await wire.request(LEAVE, 3, {
        groupId: group,
        members: [{ memberId: '', groupInstanceId: 'inst-b' }],
      });
      expect(left['members']).toMatchObject([{ errorCode: NONE }]);
      expect((await heartbeat(aId, 2, 'inst-a'))['errorCode']).toBe(REBALANCE_IN_PROGRESS);
    } finally {
      other.close();
    }
  });

  it('answers a join still waiting in a round with FENCED_INSTANCE_ID once its instance id rejoined', async () => {
    await broker.client.createTopic({ name: 'fence-wait-topic', partitions: 1 });
    const group = 'fence-wait-group';
    const [second, third] = [await KafkaWireClient.connect(port), await KafkaWireClient.connect(port)];
    try {
      const a = await wire.request(JOIN, 5, joinBody(group, 'fence-wait-topic', '', 'inst-a'));
      const aId = a['memberId'] as string;
      const assignments = [{ memberId: aId, assignment: encodeAssignment([]) }];
      await wire.request(SYNC, 3, {
        groupId: group,
        generationId: 1,
        memberId: aId,
        groupInstanceId: 'inst-a',
        assignments,
      });
      // B joins: a round that waits for A; A rejoins and both are in generation 2.
      const bJoin = second.request(JOIN, 5, joinBody(group, 'fence-wait-topic', '', 'inst-b'));
      let rebalancing = false;
      for (let i = 0; i < 100 && !rebalancing; i++)
        rebalancing =
          (
            await wire.request(HEARTBEAT, 3, {
              groupId: group,
              generationId: 1,
              memberId: aId,
              groupInstanceId: 'inst-a',
            })
          )['errorCode'] === REBALANCE_IN_PROGRESS;
      await wire.request(JOIN, 5, joinBody(group, 'fence-wait-topic', aId, 'inst-a'));
      const bId = (await bJoin)['memberId'] as string;
      // The leader joins again (a new round, waiting for B), then restarts while that join waits.
      const waiting = third.request(JOIN, 5, joinBody(group, 'fence-wait-topic', aId, 'inst-a'));
      const restarted = wire.request(JOIN, 5, joinBody(group, 'fence-wait-topic', '', 'inst-a'));
      expect(await waiting).toMatchObject({ errorCode: FENCED_INSTANCE_ID, memberId: aId });
      // B rejoins: the round ends with the restarted A, under its new id, as leader.
      const bAgain = await second.request(JOIN, 5, joinBody(group, 'fence-wait-topic', bId, 'inst-b'));
      const a2 = await restarted;
      expect(a2).toMatchObject({ errorCode: NONE, generationId: 3 });
      expect(a2['memberId']).not.toBe(aId);
      expect(a2['leader']).toBe(a2['memberId']);
      expect(bAgain).toMatchObject({ errorCode: NONE, generationId: 3, leader: a2['memberId'] });
    } finally {
      second.close();
      third.close();
    }
  });
});
