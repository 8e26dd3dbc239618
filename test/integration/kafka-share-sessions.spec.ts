import { jest } from '@jest/globals';
import { ErrorCode } from '@shoal/protocol';
import { ShareGroupHeartbeatService } from '../../src/kafka/share/share-group-heartbeat.service.js';
import { ShareSessionService } from '../../src/kafka/share/share-session.service.js';
import { kafkaShareMemberStore } from '../../src/kafka/storage/kafka-share-member.store.js';
import { StorageFullError } from '../../src/platform/errors/index.js';
import { ShareFetchService } from '../../src/share-groups/share-fetch.service.js';
import { acquiredRecordOf } from '../../src/share-groups/http/acquired-records.json.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

/** What a service call threw: its ShoalError code. */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected the call to fail');
}

/** Kafka members (member epochs) and share sessions (session epochs) over the share-group engine, on both databases. */
describe.each(STORAGE_KINDS)(`${ShareSessionService.name} and ${ShareGroupHeartbeatService.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  const members = () => log.service(ShareGroupHeartbeatService);
  const sessions = () => log.service(ShareSessionService);
  let n = 0;

  /** A topic of 2 partitions with `records` values on partition 0, and a group at earliest. */
  async function setup(records: number) {
    const topic = `kss-jobs-${++n}`;
    const group = `kss-workers-${n}`;
    await log.topics.create(topic, 2, undefined);
    await log.produce(
      topic,
      Array.from({ length: records }, (_, i) => ({ value: i, partition: 0 })),
    );
    await log.shares.updateConfig(group, { autoOffsetReset: 'earliest', recordLockDurationMs: 5_000 });
    return { topic, group };
  }
  const join = (group: string, kafkaMemberId: string, topics: string[]) =>
    members().heartbeat({
      group,
      kafkaMemberId,
      memberEpoch: 0,
      subscribedTopicNames: topics,
      clientId: 'test',
      principal: null,
    });
  const beat = (group: string, kafkaMemberId: string, memberEpoch: number) =>
    members().heartbeat({
      group,
      kafkaMemberId,
      memberEpoch,
      subscribedTopicNames: null,
      clientId: 'test',
      principal: null,
    });
  const fetch = (
    group: string,
    kafkaMemberId: string,
    sessionEpoch: number,
    topic: string,
    acks: Parameters<ShareSessionService['fetch']>[0]['acks'] = [],
  ) =>
    sessions().fetch({
      group,
      kafkaMemberId,
      principal: null,
      sessionEpoch,
      add: sessionEpoch === 0 ? [0, 1].map((partition) => ({ topic, partition })) : [],
      forget: [],
      acks,
      maxRecords: 100,
      maxWaitMs: 0,
    });

  it('joins with epoch 0, moves the member epoch on when the assignment changes, and fences other epochs', async () => {
    const { topic, group } = await setup(0);
    const a = await join(group, 'kafka-a', [topic]);
    expect(a).toMatchObject({
      memberEpoch: 1,
      assignment: [
        { topic, partition: 0 },
        { topic, partition: 1 },
      ],
    });
    await join(group, 'kafka-b', [topic]);
    const moved = await beat(group, 'kafka-a', 1);
    expect(moved.memberEpoch).toBe(2);
    expect(moved.assignment).toHaveLength(1);
    // The previous epoch is still accepted (an answer may have been lost); anything else is fenced.
    expect((await beat(group, 'kafka-a', 1)).memberEpoch).toBe(2);
    expect(await codeOf(beat(group, 'kafka-a', 7))).toBe(ErrorCode.Fenced);
    expect(await codeOf(beat(group, 'kafka-nobody', 1))).toBe(ErrorCode.UnknownMember);
    const described = await log.shares.describe(group);
    expect(described.members.map((m) => m.protocol)).toEqual(['kafka', 'kafka']);
  });

  it('leaves with epoch -1: the member is gone and its epoch unknown', async () => {
    const { topic, group } = await setup(0);
    await join(group, 'kafka-a', [topic]);
    expect(await beat(group, 'kafka-a', -1)).toMatchObject({ memberEpoch: -1, assignment: null });
    expect((await log.shares.describe(group)).members).toHaveLength(0);
    expect(await codeOf(beat(group, 'kafka-a', 1))).toBe(ErrorCode.UnknownMember);
  });

  it('refuses a join without topics and an empty member id', async () => {
    const { group } = await setup(0);
    expect(await codeOf(join(group, 'kafka-a', []))).toBe(ErrorCode.InvalidRequest);
    expect(await codeOf(join(group, '', ['x']))).toBe(ErrorCode.InvalidRequest);
  });

  it('opens a session at epoch 0, expects each next epoch, and knows no session before one is opened', async () => {
    const { topic, group } = await setup(3);
    await join(group, 'kafka-a', [topic]);
    expect(await codeOf(fetch(group, 'kafka-a', 1, topic))).toBe(ErrorCode.ShareSessionNotFound);
    const first = await fetch(group, 'kafka-a', 0, topic);
    expect(first.records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(first.lockDurationMs).toBe(5_000);
    expect(await codeOf(fetch(group, 'kafka-a', 2, topic))).toBe(ErrorCode.InvalidShareSessionEpoch);
    // Acks ride on the next fetch of the session.
    const second = await fetch(group, 'kafka-a', 1, topic, [
      { topic, partition: 0, offset: 0, lastOffset: 2, type: 'accept' },
    ]);
    expect(second.ackResults).toEqual([{ topic, partition: 0, offset: 0, lastOffset: 2, error: null }]);
    expect((await log.shares.describe(group)).partitions[0]).toMatchObject({ acknowledged: 0, startOffset: 3 });
    expect(await codeOf(sessions().acknowledge(group, 'kafka-a', 0, [], null))).toBe(
      ErrorCode.InvalidShareSessionEpoch,
    );
    expect(await codeOf(fetch(group, 'kafka-a', 1, topic))).toBe(ErrorCode.InvalidShareSessionEpoch);
  });

  it('refuses acknowledgements on the fetch that opens a session', async () => {
    const { topic, group } = await setup(1);
    await join(group, 'kafka-a', [topic]);
    const ack = { topic, partition: 0, offset: 0, type: 'accept' as const };
    expect(await codeOf(fetch(group, 'kafka-a', 0, topic, [ack]))).toBe(ErrorCode.InvalidRequest);
  });

  it('fetches only from the session partitions, and forgets those it is told to', async () => {
    const { topic, group } = await setup(0);
    await log.produce(topic, [{ value: 'p1', partition: 1 }]);
    await join(group, 'kafka-a', [topic]);
    const opened = await sessions().fetch({
      group,
      kafkaMemberId: 'kafka-a',
      principal: null,
      sessionEpoch: 0,
      add: [{ topic, partition: 0 }],
      forget: [],
      acks: [],
      maxRecords: 10,
      maxWaitMs: 0,
    });
    expect(opened.records).toHaveLength(0);
    const added = await sessions().fetch({
      group,
      kafkaMemberId: 'kafka-a',
      principal: null,
      sessionEpoch: 1,
      add: [{ topic, partition: 1 }],
      forget: [{ topic, partition: 0 }],
      acks: [],
      maxRecords: 10,
      maxWaitMs: 0,
    });
    // The service answers stored records; each door encodes them (here as HTTP would).
    expect(added.records.map(acquiredRecordOf).map((r) => [r.partition, r.value])).toEqual([[1, 'p1']]);
  });

  it('closes the session with epoch -1 after its acks, releasing what the member still holds', async () => {
    const { topic, group } = await setup(3);
    await join(group, 'kafka-a', [topic]);
    await fetch(group, 'kafka-a', 0, topic);
    const { ackResults } = await sessions().acknowledge(
      group,
      'kafka-a',
      -1,
      [{ topic, partition: 0, offset: 0, type: 'accept' }],
      null,
    );
    expect(ackResults[0].error).toBeNull();
    expect((await log.shares.describe(group)).partitions[0]).toMatchObject({
      acquired: 0,
      available: 2,
      startOffset: 1,
    });
    expect(await codeOf(fetch(group, 'kafka-a', 2, topic))).toBe(ErrorCode.ShareSessionNotFound);
    // A new session hands the released records out again, their delivery count risen.
    const again = await fetch(group, 'kafka-a', 0, topic);
    expect(again.records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('stays in step with the client when a fetch fails after its epoch moved: the next epoch goes on, the failed one is spent', async () => {
    // KIP-932's client (ShareSessionHandler.handleResponse) takes the next epoch after any answer
    // but SHARE_SESSION_NOT_FOUND / INVALID_SHARE_SESSION_EPOCH, an error answer included, and
    // sends its partitions as already added: the session must have moved with them.
    const { topic, group } = await setup(2);
    await join(group, 'kafka-f', [topic]);
    expect((await fetch(group, 'kafka-f', 0, topic)).records).toHaveLength(2);
    const accept = [{ topic, partition: 0, offset: 0, lastOffset: 1, type: 'accept' as const }];
    const failing = jest.spyOn(log.service(ShareFetchService), 'fetch').mockRejectedValueOnce(new StorageFullError());
    expect(await codeOf(fetch(group, 'kafka-f', 1, topic, accept))).toBe(ErrorCode.StorageFull);
    failing.mockRestore();
    expect(await codeOf(fetch(group, 'kafka-f', 1, topic))).toBe(ErrorCode.InvalidShareSessionEpoch);
    // Nothing of the failed fetch applied: its acks, sent again at the next epoch, find the records still held.
    const next = await fetch(group, 'kafka-f', 2, topic, accept);
    expect(next.ackResults).toEqual([{ topic, partition: 0, offset: 0, lastOffset: 1, error: null }]);
    const row = await log.database.run((sql) => kafkaShareMemberStore.find(sql, group, 'kafka-f'));
    expect(row?.sessionEpoch).toBe(3);
  });

  it('keeps members and sessions in the database: a restarted broker answers the next epochs', async () => {
    const { topic, group } = await setup(2);
    await join(group, 'kafka-a', [topic]);
    await fetch(group, 'kafka-a', 0, topic);
    await log.restart();
    expect((await beat(group, 'kafka-a', 1)).memberEpoch).toBe(1);
    const next = await fetch(group, 'kafka-a', 1, topic, [
      { topic, partition: 0, offset: 0, lastOffset: 1, type: 'accept' },
    ]);
    expect(next.ackResults[0].error).toBeNull();
  });

  it('forgets a Kafka member whose Shoal session ran out: it must join again', async () => {
    const { topic, group } = await setup(1);
    await join(group, 'kafka-a', [topic]);
    await fetch(group, 'kafka-a', 0, topic);
    log.clock.advance(60_000);
    expect(await codeOf(beat(group, 'kafka-a', 1))).toBe(ErrorCode.UnknownMember);
    expect(await codeOf(beat(group, 'kafka-a', 1))).toBe(ErrorCode.UnknownMember);
    expect((await join(group, 'kafka-a', [topic])).memberEpoch).toBe(1);
  });

  it('describe forgets the Kafka rows of members whose session ran out, and keeps the live ones', async () => {
    const { topic, group } = await setup(0);
    await join(group, 'kafka-gone', [topic]);
    log.clock.advance(60_000);
    await join(group, 'kafka-live', [topic]);
    const { description, kafka } = await members().describe(group);
    expect(description.members).toHaveLength(1);
    expect([...kafka.values()].map((r) => r.kafkaMemberId)).toEqual(['kafka-live']);
    const rows = await log.database.run((sql) => kafkaShareMemberStore.inGroup(sql, group));
    expect(rows.map((r) => r.kafkaMemberId)).toEqual(['kafka-live']);
  });
});
