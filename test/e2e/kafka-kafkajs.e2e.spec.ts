import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { KafkaListener } from '../../src/kafka/kafka.listener.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${KafkaListener.name} with KafkaJS on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  let kafka: Kafka;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() }));
    kafka = new Kafka({
      clientId: 'kafkajs-test',
      brokers: [`127.0.0.1:${kafkaPortOf(broker.app)}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('creates, lists, describes, grows and deletes topics with the admin client', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'js-admin', numPartitions: 3 }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: 'js-admin', numPartitions: 3 }] })).toBe(false);
      expect(await admin.listTopics()).toContain('js-admin');
      const metadata = await admin.fetchTopicMetadata({ topics: ['js-admin'] });
      expect(metadata.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      await admin.createPartitions({ topicPartitions: [{ topic: 'js-admin', count: 5 }] });
      expect((await broker.client.describeTopic('js-admin')).partitions).toHaveLength(5);
      await expect(admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] })).rejects.toThrow(
        /invalid|Topic/i,
      );
      await admin.deleteTopics({ topics: ['js-admin'] });
      expect((await broker.client.listTopics()).topics.map((t) => t.name)).not.toContain('js-admin');
    } finally {
      await admin.disconnect();
    }
  });

  it('produces keys, headers, batches and gzip that HTTP reads back, on the partitions HTTP would choose', async () => {
    await broker.client.createTopic({ name: 'js-produce', partitions: 4 });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'js-produce',
        messages: [
          { key: 'customer-7', value: JSON.stringify({ total: 42 }), headers: { trace: 'abc' } },
          { key: 'customer-8', value: 'plain text' },
        ],
      });
      await producer.sendBatch({
        compression: CompressionTypes.GZIP,
        topicMessages: [
          { topic: 'js-produce', messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const records = [];
    for (const p of (await broker.client.describeTopic('js-produce')).partitions) {
      records.push(...(await broker.client.read('js-produce', p.partition, { offset: 0, maxRecords: 100 })).records);
    }
    expect(records).toHaveLength(52);
    const seven = records.find((r) => r.key === 'customer-7')!;
    expect(seven.value).toEqual({ total: 42 });
    expect(seven.headers).toEqual({ trace: 'abc' });
    const eight = records.find((r) => r.key === 'customer-8')!;
    expect(Buffer.from(eight.valueBase64!, 'base64').toString()).toBe('plain text');
    // KafkaJS's default partitioner is Kafka's murmur2, as Shoal's key partitioner.
    const positions = await broker.client.produce('js-produce', [
      { key: 'customer-7', value: 1 },
      { key: 'k13', value: 2 },
    ]);
    expect(positions.offsets.map((p) => p.partition)).toEqual([
      seven.partition,
      records.find((r) => r.key === 'k13')!.partition,
    ]);
  });

  it('finds offsets by earliest, latest and time through ListOffsets', async () => {
    await broker.client.createTopic({ name: 'js-offsets', partitions: 1 });
    await broker.client.produce(
      'js-offsets',
      [100, 200, 300].map((timestamp) => ({ value: timestamp, timestamp })),
    );
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsets('js-offsets')).toEqual([
        expect.objectContaining({ partition: 0, offset: '3', low: '0', high: '3' }),
      ]);
      expect(await admin.fetchTopicOffsetsByTimestamp('js-offsets', 150)).toEqual([{ partition: 0, offset: '1' }]);
    } finally {
      await admin.disconnect();
    }
  });

  it('an idempotent producer gets producer ids and sends in sequence', async () => {
    await broker.client.createTopic({ name: 'js-idempotent', partitions: 1 });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let i = 0; i < 3; i++) await producer.send({ topic: 'js-idempotent', messages: [{ value: `m${i}` }] });
    } finally {
      await producer.disconnect();
    }
    expect((await broker.client.describeTopic('js-idempotent')).partitions[0]!.endOffset).toBe(3);
  });
});
