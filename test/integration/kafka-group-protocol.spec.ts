import {
  assignedPartitions,
  encodeAssignment,
  encodeSubscription,
} from '../../src/kafka/groups/domain/consumer-protocol.js';
import { KafkaGroupCoordinator } from '../../src/kafka/groups/kafka-group.coordinator.js';
import { type KafkaJoin, KafkaGroupService } from '../../src/kafka/groups/kafka-group.service.js';
import { KafkaGroupView } from '../../src/kafka/groups/kafka-group-view.js';
import { KafkaOffsetsService } from '../../src/kafka/groups/kafka-offsets.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';
import { sleep, until } from '../support/until.js';

const SESSION_MS = 10_000;
const REBALANCE_MS = 20_000;

describe.each(STORAGE_KINDS)(`${KafkaGroupService.name} (Kafka's classic group protocol) on %s`, (kind) => {
  let log: LogContext;
  let groups: KafkaGroupService;
  let offsets: KafkaOffsetsService;
  beforeAll(async () => {
    log = await openLogContext(kind, Date.now(), undefined, { kafkaGroupInitialRebalanceDelayMs: 0 });
    groups = log.service(KafkaGroupService);
    offsets = log.service(KafkaOffsetsService);
  });
  afterAll(() => log.close());

  const join = (group: string, memberId: string, topics: string[], extra: Partial<KafkaJoin> = {}) =>
    groups.join(group, {
      memberId,
      clientId: 'test-client',
      clientHost: '/127.0.0.1',
      sessionTimeoutMs: SESSION_MS,
      rebalanceTimeoutMs: REBALANCE_MS,
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: encodeSubscription(topics) }],
      requireKnownMemberId: true,
      ...extra,
    });

  /** The first JoinGroup of a new member: MEMBER_ID_REQUIRED with the id to join with. */
  async function memberId(group: string, topics: string[]): Promise<string> {
    const first = await join(group, '', topics);
    expect(first.error).toBe('MEMBER_ID_REQUIRED');
    expect(first.memberId).toMatch(/^test-client-/);
    return first.memberId;
  }

  /** A settled (Stable) group with one member, the leader, holding every partition of `topic`. */
  async function stableAlone(group: string, topic: string, partitions: number) {
    const id = await memberId(group, [topic]);
    const joined = await join(group, id, [topic]);
    const assignment = encodeAssignment([{ topic, partitions: [...Array(partitions).keys()] }]);
    const synced = await groups.sync(group, id, joined.generationId, { type: 'consumer', name: 'RoundRobinAssigner' }, [
      { memberId: id, assignment },
    ]);
    expect(synced.error).toBe('NONE');
    return { id, generation: joined.generationId };
  }

  it('hands a new member an id (MEMBER_ID_REQUIRED), then makes it leader of generation 1 with its own metadata', async () => {
    await log.topics.create('kg-first', 2, undefined);
    const id = await memberId('kg-first', ['kg-first']);
    const joined = await join('kg-first', id, ['kg-first']);
    expect(joined).toMatchObject({
      error: 'NONE',
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'RoundRobinAssigner',
      leader: id,
      memberId: id,
    });
    expect(joined.members).toEqual([{ memberId: id, metadata: encodeSubscription(['kg-first']) }]);
    expect((await join('kg-first', 'nobody', ['kg-first'])).error).toBe('UNKNOWN_MEMBER_ID');
  });

  it('holds a join until every known member rejoined, tells the others through their heartbeat, and hands out the leader’s assignment', async () => {
    await log.topics.create('kg-round', 4, undefined);
    const a = await stableAlone('kg-round', 'kg-round', 4);
    const b = await memberId('kg-round', ['kg-round']);
    let bAnswered = false;
    const bJoin = join('kg-round', b, ['kg-round']).then((answer) => ((bAnswered = true), answer));
    await until(async () => (await groups.heartbeat('kg-round', a.id, a.generation)) === 'REBALANCE_IN_PROGRESS');
    expect(bAnswered).toBe(false);
    const aJoin = await join('kg-round', a.id, ['kg-round']);
    const bJoined = await bJoin;
    expect(aJoin.generationId).toBe(a.generation + 1);
    expect(bJoined.generationId).toBe(aJoin.generationId);
    expect(aJoin.leader).toBe(a.id); // the leader that rejoined stays leader
    expect(aJoin.members.map((m) => m.memberId).sort()).toEqual([a.id, b].sort());
    expect(bJoined.members).toEqual([]);

    const protocol = { type: 'consumer', name: 'RoundRobinAssigner' };
    let bSynced = false;
    const bSync = groups.sync('kg-round', b, bJoined.generationId, protocol, []).then((s) => ((bSynced = true), s));
    await sleep(50);
    expect(bSynced).toBe(false); // a follower waits for the leader's assignment
    expect(await groups.heartbeat('kg-round', a.id, aJoin.generationId)).toBe('NONE');
    const aSync = await groups.sync('kg-round', a.id, aJoin.generationId, protocol, [
      { memberId: a.id, assignment: encodeAssignment([{ topic: 'kg-round', partitions: [0, 1] }]) },
      { memberId: b, assignment: encodeAssignment([{ topic: 'kg-round', partitions: [2, 3] }]) },
    ]);
    expect(assignedPartitions(aSync.assignment)).toEqual([{ topic: 'kg-round', partitions: [0, 1] }]);
    expect(assignedPartitions((await bSync).assignment)).toEqual([{ topic: 'kg-round', partitions: [2, 3] }]);

    const described = await log.groups.describe('kg-round');
    expect(described).toMatchObject({ protocol: 'kafka', state: 'stable', generation: aJoin.generationId });
    const held = Object.fromEntries(described.members.map((m) => [m.memberId, m.assignment.map((p) => p.partition)]));
    expect(held).toEqual({ [a.id]: [0, 1], [b]: [2, 3] });
    expect(described.members.every((m) => m.clientId === 'test-client')).toBe(true);
  });

  it('ends a round at the rebalance timeout without the members that did not rejoin', async () => {
    await log.topics.create('kg-timeout', 1, undefined);
    const a = await stableAlone('kg-timeout', 'kg-timeout', 1);
    const b = await memberId('kg-timeout', ['kg-timeout']);
    const bJoin = join('kg-timeout', b, ['kg-timeout']);
    await until(async () => (await groups.heartbeat('kg-timeout', a.id, a.generation)) === 'REBALANCE_IN_PROGRESS');
    log.clock.advance(REBALANCE_MS + 1); // a never rejoins
    await log.service(KafkaGroupCoordinator).sweep(log.clock.now());
    const joined = await bJoin;
    expect(joined).toMatchObject({ error: 'NONE', generationId: a.generation + 1, leader: b });
    expect(joined.members.map((m) => m.memberId)).toEqual([b]);
    expect(await groups.heartbeat('kg-timeout', a.id, a.generation)).toBe('UNKNOWN_MEMBER_ID');
  });

  it('opens a round when a member’s session runs out, and when one leaves; the last leaving empties the group', async () => {
    await log.topics.create('kg-expiry', 2, undefined);
    const a = await stableAlone('kg-expiry', 'kg-expiry', 2);
    log.clock.advance(SESSION_MS + 1);
    await log.service(KafkaGroupCoordinator).sweep(log.clock.now());
    expect(await groups.heartbeat('kg-expiry', a.id, a.generation)).toBe('UNKNOWN_MEMBER_ID');
    expect(await log.groups.describe('kg-expiry')).toMatchObject({ state: 'empty', members: [] });

    const c = await stableAlone('kg-expiry', 'kg-expiry', 2);
    expect(c.generation).toBeGreaterThan(a.generation);
    expect(await groups.leave('kg-expiry', [c.id, 'stranger'])).toEqual(['NONE', 'UNKNOWN_MEMBER_ID']);
    const described = await log.groups.describe('kg-expiry');
    expect(described).toMatchObject({ protocol: 'kafka', state: 'empty', members: [] });
    expect(described.generation).toBe(c.generation + 1);
  });

  it('answers ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and INCONSISTENT_GROUP_PROTOCOL as Kafka does', async () => {
    await log.topics.create('kg-errors', 1, undefined);
    const a = await stableAlone('kg-errors', 'kg-errors', 1);
    const protocol = { type: 'consumer', name: 'RoundRobinAssigner' };
    expect(await groups.heartbeat('kg-errors', a.id, a.generation - 1)).toBe('ILLEGAL_GENERATION');
    expect((await groups.sync('kg-errors', a.id, a.generation + 5, protocol, [])).error).toBe('ILLEGAL_GENERATION');
    expect(await groups.heartbeat('kg-errors', 'nobody', a.generation)).toBe('UNKNOWN_MEMBER_ID');
    expect(await groups.heartbeat('kg-no-such-group', 'nobody', 1)).toBe('UNKNOWN_MEMBER_ID');
    expect((await groups.sync('kg-errors', a.id, a.generation, { type: 'consumer', name: 'other' }, [])).error).toBe(
      'INCONSISTENT_GROUP_PROTOCOL',
    );
    const other = { protocols: [{ name: 'CooperativeSticky', metadata: Buffer.alloc(0) }] };
    expect((await join('kg-errors', '', ['kg-errors'], other)).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect((await join('kg-errors', '', ['kg-errors'], { protocolType: 'connect' })).error).toBe(
      'INCONSISTENT_GROUP_PROTOCOL',
    );
    expect((await join('kg-errors', '', ['kg-errors'], { sessionTimeoutMs: 10 })).error).toBe(
      'INVALID_SESSION_TIMEOUT',
    );
    expect((await join('', '', ['kg-errors'])).error).toBe('INVALID_GROUP_ID');
    // The stable follower-less group still answers its member's assignment.
    const synced = await groups.sync('kg-errors', a.id, a.generation, protocol, []);
    expect(assignedPartitions(synced.assignment)).toEqual([{ topic: 'kg-errors', partitions: [0] }]);
  });

  it('keeps one protocol per group: Kafka joins refused while HTTP members are in, HTTP joins, resets and deletes while Kafka members are', async () => {
    await log.topics.create('kg-mixed', 1, undefined);
    const http = await log.groups.join('kg-mixed-http', { topics: ['kg-mixed'] });
    expect((await join('kg-mixed-http', '', ['kg-mixed'])).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    await log.groups.leave('kg-mixed-http', http.memberId);

    const a = await stableAlone('kg-mixed', 'kg-mixed', 1);
    await expect(log.groups.join('kg-mixed', { topics: ['kg-mixed'] })).rejects.toMatchObject({
      code: 'GROUP_NOT_EMPTY',
    });
    await expect(log.groups.resetOffsets('kg-mixed', 'kg-mixed', undefined, 'earliest')).rejects.toMatchObject({
      code: 'GROUP_NOT_EMPTY',
    });
    await expect(log.groups.delete('kg-mixed')).rejects.toMatchObject({ code: 'GROUP_NOT_EMPTY' });
    await groups.leave('kg-mixed', [a.id]);
    await log.groups.resetOffsets('kg-mixed', 'kg-mixed', undefined, 'earliest');
    const taken = await log.groups.join('kg-mixed', { topics: ['kg-mixed'] });
    expect((await log.groups.describe('kg-mixed')).protocol).toBe('http');
    await log.groups.leave('kg-mixed', taken.memberId);
  });

  it('commits offsets into the consumer group, fenced by member and generation, and shows them in describe and /metrics', async () => {
    await log.topics.create('kg-commit', 2, undefined);
    await log.produce(
      'kg-commit',
      [0, 0, 0, 1, 1].map((partition) => ({ value: 'x', partition })),
    );
    const a = await stableAlone('kg-commit', 'kg-commit', 2);
    const commit = (memberId: string, generation: number, partition = 0, offset = 2) =>
      offsets.commit('kg-commit', memberId, generation, [
        { name: 'kg-commit', partitions: [{ partitionIndex: partition, committedOffset: offset }] },
      ]);
    const errorOf = async (answer: ReturnType<typeof commit>) => (await answer)[0].partitions[0].error;
    expect(await errorOf(commit(a.id, a.generation - 1))).toBe('ILLEGAL_GENERATION');
    expect(await errorOf(commit('nobody', a.generation))).toBe('UNKNOWN_MEMBER_ID');
    expect(await errorOf(commit('', -1))).toBe('UNKNOWN_MEMBER_ID'); // outside a generation only when empty
    expect(await errorOf(commit(a.id, a.generation, 7))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await errorOf(commit(a.id, a.generation))).toBe('NONE');

    expect(
      await offsets.fetch('kg-commit', [
        { name: 'kg-commit', partitionIndexes: [0, 1] },
        { name: 'nope', partitionIndexes: [0] },
      ]),
    ).toEqual([
      {
        name: 'kg-commit',
        partitions: [
          { partitionIndex: 0, committedOffset: 2 },
          { partitionIndex: 1, committedOffset: -1 },
        ],
      },
      { name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: -1 }] },
    ]);
    expect(await offsets.fetch('kg-commit', null)).toEqual([
      { name: 'kg-commit', partitions: [{ partitionIndex: 0, committedOffset: 2 }] },
    ]);
    const described = await log.groups.describe('kg-commit');
    expect(described.offsets).toEqual([
      { topic: 'kg-commit', partition: 0, committedOffset: 2, endOffset: 3, lag: 1 },
      { topic: 'kg-commit', partition: 1, committedOffset: null, endOffset: 2, lag: 2 },
    ]);

    await log.metrics.render();
    const series = async (name: string) => (await log.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
    expect((await series('shoal_consumer_group_lag')).filter((v) => v.labels.group === 'kg-commit')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: 1, labels: expect.objectContaining({ partition: '0' }) }),
        expect.objectContaining({ value: 2, labels: expect.objectContaining({ partition: '1' }) }),
      ]),
    );
    expect((await series('shoal_group_members')).find((v) => v.labels.group === 'kg-commit')?.value).toBe(1);
    expect((await series('shoal_consumer_group_protocol')).find((v) => v.labels.group === 'kg-commit')?.labels).toEqual(
      {
        group: 'kg-commit',
        protocol: 'kafka',
      },
    );

    await groups.leave('kg-commit', [a.id]);
    expect(await errorOf(commit('', -1, 1, 1))).toBe('NONE'); // an empty group takes commits from outside
    expect((await offsets.fetch('kg-commit', null))[0].partitions).toEqual([
      { partitionIndex: 0, committedOffset: 2 },
      { partitionIndex: 1, committedOffset: 1 },
    ]);
  });

  it('describes and lists groups of both protocols in Kafka’s words', async () => {
    await log.topics.create('kg-list', 1, undefined);
    const a = await stableAlone('kg-list-kafka', 'kg-list', 1);
    const http = await log.groups.join('kg-list-http', { topics: ['kg-list'] });
    const view = log.service(KafkaGroupView);
    const [kafka, viaHttp, missing] = await view.describe(['kg-list-kafka', 'kg-list-http', 'kg-list-none']);
    expect(kafka).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'RoundRobinAssigner' });
    expect(kafka.members).toHaveLength(1);
    expect(assignedPartitions(kafka.members[0].memberAssignment)).toEqual([{ topic: 'kg-list', partitions: [0] }]);
    expect(viaHttp).toMatchObject({ groupState: 'Stable', protocolType: 'consumer' });
    expect(assignedPartitions(viaHttp.members[0].memberAssignment)).toEqual([{ topic: 'kg-list', partitions: [0] }]);
    expect(missing).toMatchObject({ exists: false, groupState: 'Dead' });
    const listed = await view.list();
    expect(listed).toEqual(
      expect.arrayContaining([
        { groupId: 'kg-list-kafka', protocolType: 'consumer', groupState: 'Stable' },
        { groupId: 'kg-list-http', protocolType: 'consumer', groupState: 'Stable' },
      ]),
    );
    await groups.leave('kg-list-kafka', [a.id]);
    await log.groups.leave('kg-list-http', http.memberId);
  });
});
