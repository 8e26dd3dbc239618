import { ManualClock } from '../../src/platform/clock.js';
import { KafkaError } from '../../src/kafka/kafka-api.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/kafka/protocol/record-batch.js';
import { ShareTopicIds } from '../../src/kafka/share/share-topic-ids.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaTestClient } from '../support/kafka-test-client.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

const METADATA = 3;
const HEARTBEAT = 76;
const DESCRIBE = 77;
const SHARE_FETCH = 78;
const SHARE_ACK = 79;
const [GAP, ACCEPT, RELEASE, REJECT, RENEW] = [0, 1, 2, 3, 4];

type Body = Record<string, unknown>;
interface PartitionData {
  partitionIndex: number;
  errorCode: number;
  acknowledgeErrorCode: number;
  records: Buffer | null;
  acquiredRecords: { firstOffset: number; lastOffset: number; deliveryCount: number }[];
}

/**
 * KIP-932's RPCs through the Kafka listener, driven by the test client on the broker's own codec:
 * the share-group rules the HTTP tests check (acquire, accept, release with a rising delivery
 * count, reject to the dead-letter topic, the delivery limit, lock expiry on the broker's manual
 * clock), plus member epochs, share-session epochs and Kafka's error codes.
 */
describe('KIP-932 share-group RPCs over the Kafka listener', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let kafka: KafkaTestClient;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() }), clock);
    kafka = await KafkaTestClient.connect(kafkaPortOf(broker.app));
  });
  afterAll(async () => {
    kafka.close();
    await broker.close();
    await storage.dispose();
  });

  let n = 0;
  /** A fresh topic (one partition, `values` on it), its dead-letter topic and a group at earliest. */
  async function setup(values: string[], config: Body = {}) {
    const topic = `kshare-jobs-${++n}`;
    const dlq = `kshare-dlq-${n}`;
    const group = `kshare-workers-${n}`;
    await broker.client.createTopic({ name: topic, partitions: 1 });
    await broker.client.createTopic({ name: dlq, partitions: 1 });
    if (values.length > 0)
      await broker.client.produce(
        topic,
        values.map((value) => ({ value, partition: 0 })),
      );
    await broker.client.updateShareGroupConfig(group, {
      autoOffsetReset: 'earliest',
      recordLockDurationMs: 10_000,
      deadLetterTopic: dlq,
      ...config,
    });
    // As a Kafka share consumer learns it: from Metadata (version 10 on carries topic ids).
    const metadata = await kafka.send(METADATA, 12, { topics: [{ name: topic }], allowAutoTopicCreation: false });
    const topicId = (metadata.topics as { name: string; topicId: string }[])[0].topicId;
    return { topic, dlq, group, topicId };
  }

  it('tells a client each topic id in Metadata (v10+), and finds a topic asked for by id alone', async () => {
    const { topic } = await setup([]);
    const internal = (await broker.app.get(ShareTopicIds).idsOf([topic])).get(topic)!;
    expect(kafka.versionsOf(METADATA)?.maxVersion).toBeGreaterThanOrEqual(12);
    const all = await kafka.send(METADATA, 12, { topics: null, allowAutoTopicCreation: false });
    const listed = (all.topics as { name: string; topicId: string; errorCode: number }[]).find((t) => t.name === topic);
    expect(listed).toMatchObject({ errorCode: KafkaError.NONE, topicId: internal });
    const byId = await kafka.send(METADATA, 12, {
      topics: [
        { topicId: internal, name: null },
        { topicId: '0f0e0d0c-0b0a-4908-8706-050403020100', name: null },
      ],
      allowAutoTopicCreation: false,
    });
    expect(byId.topics).toEqual([
      expect.objectContaining({ errorCode: KafkaError.NONE, name: topic, topicId: internal }),
      expect.objectContaining({ errorCode: KafkaError.UNKNOWN_TOPIC_ID, name: null, partitions: [] }),
    ]);
    const missing = await kafka.send(METADATA, 10, {
      topics: [{ name: 'kshare-none' }],
      allowAutoTopicCreation: false,
    });
    expect(missing.topics).toEqual([
      expect.objectContaining({
        errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
        topicId: '00000000-0000-0000-0000-000000000000',
      }),
    ]);
  });

  const heartbeat = (groupId: string, memberId: string, memberEpoch: number, topics: string[] | null = null) =>
    kafka.send(HEARTBEAT, 1, { groupId, memberId, memberEpoch, rackId: null, subscribedTopicNames: topics });

  const batches = (first: number, last: number, type: number) => [
    { firstOffset: first, lastOffset: last, acknowledgeTypes: [type] },
  ];

  /** A ShareFetch of partition 0 (with `acks` on it), answering the top level and partition 0's data. */
  async function shareFetch(
    group: string,
    memberId: string,
    epoch: number,
    topicId: string,
    acks: Body[] = [],
    maxWaitMs = 0,
  ): Promise<{ top: Body; partition: PartitionData | undefined }> {
    const top = await kafka.send(SHARE_FETCH, 1, {
      groupId: group,
      memberId,
      shareSessionEpoch: epoch,
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1 << 20,
      maxRecords: 100,
      batchSize: 100,
      topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }] }],
      forgottenTopicsData: [],
    });
    const responses = top.responses as { topicId: string; partitions: PartitionData[] }[];
    return { top, partition: responses.find((r) => r.topicId === topicId)?.partitions[0] };
  }

  async function shareAck(group: string, memberId: string, epoch: number, topicId: string, acks: Body[], version = 1) {
    const top = await kafka.send(SHARE_ACK, version, {
      groupId: group,
      memberId,
      shareSessionEpoch: epoch,
      topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }] }],
    });
    const responses = top.responses as { topicId: string; partitions: { errorCode: number }[] }[];
    return { top, errorCode: responses.find((r) => r.topicId === topicId)?.partitions[0]?.errorCode };
  }

  const values = (p: PartitionData | undefined) =>
    p?.records
      ? decodeRecordBatches(p.records).flatMap((b) => b.records.map((r) => JSON.parse(r.value!.toString())))
      : [];
  const describe = (group: string) => broker.client.describeShareGroup(group);
  const deadLetters = async (dlq: string) =>
    (await broker.client.read(dlq, 0, { offset: 0, maxRecords: 100 })).records.map((r) => r.value);

  it('answers the four share RPCs in ApiVersions at their GA versions', () => {
    expect(kafka.versionsOf(HEARTBEAT)).toEqual({ apiKey: HEARTBEAT, minVersion: 1, maxVersion: 1 });
    expect(kafka.versionsOf(DESCRIBE)).toEqual({ apiKey: DESCRIBE, minVersion: 1, maxVersion: 1 });
    expect(kafka.versionsOf(SHARE_FETCH)).toEqual({ apiKey: SHARE_FETCH, minVersion: 1, maxVersion: 2 });
    expect(kafka.versionsOf(SHARE_ACK)).toEqual({ apiKey: SHARE_ACK, minVersion: 1, maxVersion: 2 });
  });

  it('joins with epoch 0, gets every partition of a sole member, moves the epoch on when a member joins, and fences', async () => {
    const { topic, group, topicId } = await setup([]);
    await broker.client.createTopic({ name: `${topic}-wide`, partitions: 3 });
    const wideId = (await broker.app.get(ShareTopicIds).idsOf([`${topic}-wide`])).get(`${topic}-wide`)!;
    const joined = await heartbeat(group, 'member-a', 0, [`${topic}-wide`]);
    expect(joined).toMatchObject({ errorCode: 0, memberId: 'member-a', memberEpoch: 1 });
    expect((joined.assignment as Body).topicPartitions).toEqual([{ topicId: wideId, partitions: [0, 1, 2] }]);
    await heartbeat(group, 'member-b', 0, [`${topic}-wide`]);
    const moved = await heartbeat(group, 'member-a', 1);
    expect(moved.memberEpoch).toBe(2);
    expect(
      (moved.assignment as { topicPartitions: { partitions: number[] }[] }).topicPartitions[0].partitions.length,
    ).toBeLessThan(3);
    expect((await heartbeat(group, 'member-a', 9)).errorCode).toBe(KafkaError.FENCED_MEMBER_EPOCH);
    expect((await heartbeat(group, 'member-z', 1)).errorCode).toBe(KafkaError.UNKNOWN_MEMBER_ID);
    expect((await heartbeat(group, 'member-c', 0, [])).errorCode).toBe(KafkaError.INVALID_REQUEST);
    expect((await heartbeat('bad group!', 'member-c', 0, [topic])).errorCode).toBe(KafkaError.INVALID_GROUP_ID);
    expect((await heartbeat(group, 'm'.repeat(256), 0, [topic])).errorCode).toBe(KafkaError.INVALID_REQUEST);
    // HTTP describe shows both, marked as Kafka members.
    expect((await describe(group)).members.map((m) => m.protocol)).toEqual(['kafka', 'kafka']);
    expect(topicId).toBeTruthy();
    expect(await heartbeat(group, 'member-b', -1)).toMatchObject({ errorCode: 0, memberEpoch: -1 });
    expect((await heartbeat(group, 'member-b', 1)).errorCode).toBe(KafkaError.UNKNOWN_MEMBER_ID);
  });

  it('ShareGroupDescribe lists members with their Kafka ids, epochs and assignments; an unknown group is GROUP_ID_NOT_FOUND', async () => {
    const { topic, group, topicId } = await setup([]);
    await heartbeat(group, 'member-a', 0, [topic]);
    const answer = await kafka.send(DESCRIBE, 1, {
      groupIds: [group, `${group}-none`],
      includeAuthorizedOperations: false,
    });
    const [found, missing] = answer.groups as Body[];
    expect(found).toMatchObject({ errorCode: 0, groupId: group, groupState: 'Stable', assignorName: 'simple' });
    expect(found.members).toEqual([
      expect.objectContaining({
        memberId: 'member-a',
        memberEpoch: 1,
        clientId: 'shoal-test',
        subscribedTopicNames: [topic],
        assignment: { topicPartitions: [{ topicId, topicName: topic, partitions: [0] }] },
      }),
    ]);
    expect(missing.errorCode).toBe(KafkaError.GROUP_ID_NOT_FOUND);
  });

  it('acquires records as a record batch with AcquiredRecords, and an accept riding on the next fetch moves the start offset', async () => {
    const { topic, group, topicId } = await setup(['a', 'b', 'c']);
    await heartbeat(group, 'member-a', 0, [topic]);
    const first = await shareFetch(group, 'member-a', 0, topicId);
    expect(first.top).toMatchObject({ errorCode: 0, acquisitionLockTimeoutMs: 10_000 });
    expect(values(first.partition)).toEqual(['a', 'b', 'c']);
    expect(first.partition!.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }]);
    expect((await describe(group)).partitions[0]).toMatchObject({ acquired: 3 });
    const second = await shareFetch(group, 'member-a', 1, topicId, batches(0, 2, ACCEPT));
    expect(second.partition).toMatchObject({ acknowledgeErrorCode: 0, acquiredRecords: [] });
    expect((await describe(group)).partitions[0]).toMatchObject({ acquired: 0, startOffset: 3 });
  });

  it('answers the very bytes a Kafka producer wrote (JSON text as written), keys and headers included', async () => {
    const { topic, group, topicId } = await setup([]);
    const value = Buffer.from('{"total": 42.0, "id": 12345678901234567890}');
    const records = encodeRecordBatch({
      baseOffset: 0,
      records: [
        {
          timestamp: 1_700_000_000_000,
          key: Buffer.from('k-1'),
          value,
          headers: [{ key: 'h', value: Buffer.from('v') }],
        },
      ],
    });
    const produced = await kafka.send(0, 8, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5_000,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, records }] }],
    });
    expect((produced.responses as { partitions: { errorCode: number }[] }[])[0].partitions[0].errorCode).toBe(0);
    await heartbeat(group, 'member-a', 0, [topic]);
    const fetched = await shareFetch(group, 'member-a', 0, topicId);
    const [record] = decodeRecordBatches(fetched.partition!.records!)[0].records;
    expect(record.value!.equals(value)).toBe(true);
    expect(record.key!.toString()).toBe('k-1');
    expect(record.headers.map((h) => [h.key, h.value!.toString()])).toEqual([['h', 'v']]);
    expect(record.timestamp).toBe(1_700_000_000_000);
  });

  it('answers a large fetch whole: 600 records of 1 KB in one record batch with one acquired range', async () => {
    const { topic, group, topicId } = await setup([]);
    const big = 'x'.repeat(1_000);
    await broker.client.produce(
      topic,
      Array.from({ length: 600 }, (_, i) => ({ value: `${i}:${big}`, partition: 0 })),
    );
    await heartbeat(group, 'member-a', 0, [topic]);
    const top = await kafka.send(SHARE_FETCH, 1, {
      groupId: group,
      memberId: 'member-a',
      shareSessionEpoch: 0,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 24,
      maxRecords: 1_000,
      batchSize: 1_000,
      topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }],
      forgottenTopicsData: [],
    });
    const partition = (top.responses as { partitions: PartitionData[] }[])[0].partitions[0];
    expect(partition.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 599, deliveryCount: 1 }]);
    expect(values(partition).map((v: string) => Number(v.split(':')[0]))).toEqual(
      Array.from({ length: 600 }, (_, i) => i),
    );
  });

  it('release makes a record available again with its delivery count risen; per-offset types apply each', async () => {
    const { topic, group, topicId } = await setup(['a', 'b']);
    await heartbeat(group, 'member-a', 0, [topic]);
    await shareFetch(group, 'member-a', 0, topicId);
    const acked = await shareAck(group, 'member-a', 1, topicId, [
      { firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT, RELEASE] },
    ]);
    expect(acked).toMatchObject({ top: { errorCode: 0 }, errorCode: 0 });
    const again = await shareFetch(group, 'member-a', 2, topicId);
    expect(values(again.partition)).toEqual(['b']);
    expect(again.partition!.acquiredRecords).toEqual([{ firstOffset: 1, lastOffset: 1, deliveryCount: 2 }]);
  });

  it('reject archives the record into the dead-letter topic, as over HTTP; a gap is archived as well', async () => {
    const { topic, dlq, group, topicId } = await setup(['bad', 'gone']);
    await heartbeat(group, 'member-a', 0, [topic]);
    await shareFetch(group, 'member-a', 0, topicId);
    expect((await shareAck(group, 'member-a', 1, topicId, batches(0, 0, REJECT))).errorCode).toBe(0);
    expect((await shareAck(group, 'member-a', 2, topicId, batches(1, 1, GAP))).errorCode).toBe(0);
    expect((await describe(group)).partitions[0]).toMatchObject({ acquired: 0, startOffset: 2 });
    expect(await deadLetters(dlq)).toContain('bad');
  });

  it('the delivery limit archives a record released once too often', async () => {
    const { topic, dlq, group, topicId } = await setup(['poison'], { deliveryCountLimit: 2 });
    await heartbeat(group, 'member-a', 0, [topic]);
    let epoch = 0;
    for (const count of [1, 2]) {
      const fetched = await shareFetch(group, 'member-a', epoch++, topicId);
      expect(fetched.partition!.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 0, deliveryCount: count }]);
      expect((await shareAck(group, 'member-a', epoch++, topicId, batches(0, 0, RELEASE))).errorCode).toBe(0);
    }
    expect((await shareFetch(group, 'member-a', epoch, topicId)).partition?.acquiredRecords ?? []).toEqual([]);
    expect(await deadLetters(dlq)).toEqual(['poison']);
  });

  it('a lock that runs out on the broker clock hands the record out again; the late accept is INVALID_RECORD_STATE', async () => {
    const { topic, group, topicId } = await setup(['slow'], { recordLockDurationMs: 2_000 });
    await heartbeat(group, 'member-a', 0, [topic]);
    await heartbeat(group, 'member-b', 0, [topic]);
    const first = await shareFetch(group, 'member-a', 0, topicId);
    expect(first.partition!.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 0, deliveryCount: 1 }]);
    clock.advance(2_001);
    const other = await shareFetch(group, 'member-b', 0, topicId);
    expect(other.partition!.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 0, deliveryCount: 2 }]);
    const late = await shareAck(group, 'member-a', 1, topicId, batches(0, 0, ACCEPT));
    expect(late.errorCode).toBe(KafkaError.INVALID_RECORD_STATE);
  });

  it('renew (version 2) restarts a lock without a delivery; version 1 refuses it as INVALID_REQUEST', async () => {
    const { topic, group, topicId } = await setup(['long'], { recordLockDurationMs: 2_000 });
    await heartbeat(group, 'member-a', 0, [topic]);
    await heartbeat(group, 'member-b', 0, [topic]);
    await shareFetch(group, 'member-a', 0, topicId);
    expect((await shareAck(group, 'member-a', 1, topicId, batches(0, 0, RENEW))).errorCode).toBe(
      KafkaError.INVALID_REQUEST,
    );
    clock.advance(1_500);
    const renewed = await shareAck(group, 'member-a', 2, topicId, batches(0, 0, RENEW), 2);
    expect(renewed).toMatchObject({ top: { errorCode: 0, acquisitionLockTimeoutMs: 2_000 }, errorCode: 0 });
    clock.advance(1_500);
    // 3 s after the fetch the record is still member-a's: member-b gets nothing, member-a's accept applies.
    expect((await shareFetch(group, 'member-b', 0, topicId)).partition?.acquiredRecords ?? []).toEqual([]);
    expect((await shareAck(group, 'member-a', 3, topicId, batches(0, 0, ACCEPT))).errorCode).toBe(0);
  });

  it('share-session epochs: none before epoch 0, the next one expected after, acks refused on the opening fetch', async () => {
    const { topic, group, topicId } = await setup(['x']);
    await heartbeat(group, 'member-a', 0, [topic]);
    expect((await shareFetch(group, 'member-a', 1, topicId)).top.errorCode).toBe(KafkaError.SHARE_SESSION_NOT_FOUND);
    expect((await shareFetch(group, 'member-a', 0, topicId, batches(0, 0, ACCEPT))).top.errorCode).toBe(
      KafkaError.INVALID_REQUEST,
    );
    await shareFetch(group, 'member-a', 0, topicId);
    expect((await shareFetch(group, 'member-a', 5, topicId)).top.errorCode).toBe(
      KafkaError.INVALID_SHARE_SESSION_EPOCH,
    );
    expect((await shareAck(group, 'member-a', 0, topicId, [])).top.errorCode).toBe(
      KafkaError.INVALID_SHARE_SESSION_EPOCH,
    );
    expect((await shareFetch(group, 'member-z', 0, topicId)).top.errorCode).toBe(KafkaError.UNKNOWN_MEMBER_ID);
    // The refused requests applied nothing: the record is still held, and epoch 1 is still the next.
    expect((await shareAck(group, 'member-a', 1, topicId, batches(0, 0, ACCEPT))).errorCode).toBe(0);
  });

  it('closing the session (ShareAcknowledge epoch -1) applies its acks and releases what the member still holds', async () => {
    const { topic, group, topicId } = await setup(['done', 'left']);
    await heartbeat(group, 'member-a', 0, [topic]);
    await shareFetch(group, 'member-a', 0, topicId);
    expect((await shareAck(group, 'member-a', -1, topicId, batches(0, 0, ACCEPT))).errorCode).toBe(0);
    expect((await describe(group)).partitions[0]).toMatchObject({ acquired: 0, available: 1, startOffset: 1 });
    expect((await shareFetch(group, 'member-a', 2, topicId)).top.errorCode).toBe(KafkaError.SHARE_SESSION_NOT_FOUND);
  });

  it('a ShareFetch waiting for records (MaxWaitMs) is woken by a produce over HTTP', async () => {
    const { topic, group, topicId } = await setup([]);
    await heartbeat(group, 'member-a', 0, [topic]);
    const started = Date.now();
    const waiting = shareFetch(group, 'member-a', 0, topicId, [], 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await broker.client.produce(topic, [{ value: 'late', partition: 0 }]);
    const answer = await waiting;
    expect(values(answer.partition)).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
