import { Kafka, logLevel } from 'kafkajs';
import { systemClock } from '../../src/platform/clock.js';
import { OffsetCommitHandler } from '../../src/kafka/handlers/offset-commit.handler.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

const COMMIT = 8;
const FETCH_OFFSETS = 9;
const NONE = 0;
const OFFSET_METADATA_TOO_LARGE = 12;

/** Commit metadata through both doors: kept with the offset, returned by OffsetFetch and describe. */
describe.each(STORAGE_KINDS)(`${OffsetCommitHandler.name} commit metadata on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  let kafka: Kafka;
  let wire: KafkaWireClient;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(
      testConfig(storage.storage, { kafka: kafkaTestConfig(), kafkaGroupInitialRebalanceDelayMs: 0 }),
      systemClock,
    );
    const port = kafkaPortOf(broker.app);
    kafka = new Kafka({
      clientId: 'metadata-test',
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
    wire = await KafkaWireClient.connect(port);
  });
  afterAll(async () => {
    wire.close();
    await broker.close();
    await storage.dispose();
  });

  it('keeps the metadata KafkaJS commits, and a new consumer and the admin client read it back', async () => {
    await broker.client.createTopic({ name: 'meta-js', partitions: 1 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'meta-js', messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'meta-js-group', sessionTimeout: 10_000 });
    await consumer.connect();
    let seen = 0;
    try {
      await consumer.subscribe({ topics: ['meta-js'], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async () => {
          seen += 1;
        },
      });
      await until(() => seen >= 5);
      await consumer.commitOffsets([{ topic: 'meta-js', partition: 0, offset: '3', metadata: 'checkpoint-7' }]);
    } finally {
      await consumer.disconnect();
    }

    const admin = kafka.admin();
    await admin.connect();
    try {
      const fetched = await admin.fetchOffsets({ groupId: 'meta-js-group', topics: ['meta-js'] });
      expect(fetched).toEqual([
        { topic: 'meta-js', partitions: [{ partition: 0, offset: '3', metadata: 'checkpoint-7' }] },
      ]);
    } finally {
      await admin.disconnect();
    }
    const described = await broker.client.describeConsumerGroup('meta-js-group');
    expect(described.offsets).toEqual([
      expect.objectContaining({ topic: 'meta-js', partition: 0, committedOffset: 3, metadata: 'checkpoint-7' }),
    ]);
  }, 60_000);

  it('stores metadata per partition over the wire, refuses more than 4096 bytes with OFFSET_METADATA_TOO_LARGE', async () => {
    await broker.client.createTopic({ name: 'meta-wire', partitions: 3 });
    const big = 'é'.repeat(2049); // 4098 bytes, 2049 characters
    const committed = await wire.request(COMMIT, 2, {
      groupId: 'meta-wire-group',
      generationId: -1,
      memberId: '',
      retentionTimeMs: -1,
      topics: [
        {
          name: 'meta-wire',
          partitions: [
            { partitionIndex: 0, committedOffset: 4, committedMetadata: 'x'.repeat(4096) },
            { partitionIndex: 1, committedOffset: 5, committedMetadata: big },
            { partitionIndex: 2, committedOffset: 6, committedMetadata: null },
          ],
        },
      ],
    });
    expect(committed['topics']).toEqual([
      expect.objectContaining({
        name: 'meta-wire',
        partitions: [
          { partitionIndex: 0, errorCode: NONE },
          { partitionIndex: 1, errorCode: OFFSET_METADATA_TOO_LARGE },
          { partitionIndex: 2, errorCode: NONE },
        ],
      }),
    ]);
    const expected = [
      { partitionIndex: 0, committedOffset: 4, metadata: 'x'.repeat(4096) },
      { partitionIndex: 1, committedOffset: -1, metadata: '' },
      { partitionIndex: 2, committedOffset: 6, metadata: '' },
    ];
    for (const version of [1, 5, 7]) {
      const fetched = await wire.request(FETCH_OFFSETS, version, {
        groupId: 'meta-wire-group',
        topics: [{ name: 'meta-wire', partitionIndexes: [0, 1, 2] }],
      });
      const partitions = (fetched['topics'] as { partitions: Record<string, unknown>[] }[])[0].partitions;
      expect(partitions).toEqual(expected.map((e) => expect.objectContaining({ ...e, errorCode: NONE })));
    }

    // a flexible commit replaces the metadata; the all-topics fetch returns it too
    await wire.request(COMMIT, 8, {
      groupId: 'meta-wire-group',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { name: 'meta-wire', partitions: [{ partitionIndex: 0, committedOffset: 9, committedMetadata: 'ü-2' }] },
      ],
    });
    const all = await wire.request(FETCH_OFFSETS, 7, {
      groupId: 'meta-wire-group',
      topics: null,
      requireStable: false,
    });
    expect((all['topics'] as { partitions: Record<string, unknown>[] }[])[0].partitions).toEqual([
      expect.objectContaining({ partitionIndex: 0, committedOffset: 9, metadata: 'ü-2' }),
      expect.objectContaining({ partitionIndex: 2, committedOffset: 6, metadata: '' }),
    ]);
  });

  it('takes metadata on the HTTP commit, shows it in describe, and refuses more than 4096 bytes whole', async () => {
    await broker.client.createTopic({ name: 'meta-http', partitions: 2 });
    const joined = await broker.client.joinConsumerGroup('meta-http-group', { topics: ['meta-http'] });
    await until(async () => {
      const beat = await broker.client.consumerHeartbeat('meta-http-group', joined.memberId);
      return beat.assignment.length === 2;
    });
    const { generation } = await broker.client.consumerHeartbeat('meta-http-group', joined.memberId);
    await broker.client.commitOffsets('meta-http-group', joined.memberId, generation, [
      { topic: 'meta-http', partition: 0, offset: 0, metadata: 'from-http' },
      { topic: 'meta-http', partition: 1, offset: 0 },
    ]);
    const tooLarge = await fetch(`${broker.url}/v1/consumer-groups/meta-http-group/offsets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        memberId: joined.memberId,
        generation,
        offsets: [
          { topic: 'meta-http', partition: 1, offset: 0, metadata: 'fits' },
          { topic: 'meta-http', partition: 0, offset: 0, metadata: 'é'.repeat(2049) },
        ],
      }),
    });
    expect(tooLarge.status).toBe(400);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    const described = await broker.client.describeConsumerGroup('meta-http-group');
    expect(described.offsets.map((o) => [o.partition, o.committedOffset, o.metadata])).toEqual([
      [0, 0, 'from-http'],
      [1, 0, undefined],
    ]);
    const fetched = await wire.request(FETCH_OFFSETS, 5, {
      groupId: 'meta-http-group',
      topics: [{ name: 'meta-http', partitionIndexes: [0] }],
    });
    expect((fetched['topics'] as { partitions: Record<string, unknown>[] }[])[0].partitions[0]).toMatchObject({
      committedOffset: 0,
      metadata: 'from-http',
    });
  });
});
