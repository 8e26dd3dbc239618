import { Kafka, logLevel } from 'kafkajs';
import { MetadataHandler } from '../../src/kafka/handlers/metadata.handler.js';
import { KafkaListener } from '../../src/kafka/kafka.listener.js';
import { decodeRecordBatches } from '../../src/kafka/protocol/record-batch.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

// Waits far longer than any wake-up: an answer well before it can only come from a notification.
const MAX_WAIT_MS = 30_000;

describe(`${MetadataHandler.name}: two brokers on one PostgreSQL`, () => {
  let storage: TestStorage;
  let brokers: TestBroker[];
  let ports: number[];
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    brokers = [];
    for (let i = 0; i < 2; i++)
      brokers.push(await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() })));
    ports = brokers.map((b) => kafkaPortOf(b.app));
  });
  afterAll(async () => {
    for (const broker of brokers) await broker.close();
    await storage.dispose();
  });

  it('each broker names itself, with its own node id, as the leader of every partition', async () => {
    await brokers[0]!.client.createTopic({ name: 'two-meta', partitions: 2 });
    const answers = [];
    for (const port of ports) {
      const client = await KafkaWireClient.connect(port);
      answers.push(await client.request(3, 9, { topics: [{ name: 'two-meta' }] }));
      client.close();
    }
    const ids = answers.map((a) => (a['brokers'] as Array<{ nodeId: number; port: number }>)[0]!);
    expect(ids.map((b) => b.port)).toEqual(ports);
    expect(ids[0]!.nodeId).not.toBe(ids[1]!.nodeId);
    answers.forEach((answer, i) => {
      const partitions = (answer['topics'] as Array<{ partitions: Array<{ leaderId: number }> }>)[0]!.partitions;
      expect(partitions.map((p) => p.leaderId)).toEqual([ids[i]!.nodeId, ids[i]!.nodeId]);
    });
  });

  it('wakes a fetch waiting on one broker when KafkaJS produces through the other', async () => {
    await brokers[0]!.client.createTopic({ name: 'two-wake', partitions: 1 });
    const waiter = await KafkaWireClient.connect(ports[1]!);
    const started = Date.now();
    const waiting = waiter.request(1, 11, {
      replicaId: -1,
      maxWait: MAX_WAIT_MS,
      minBytes: 1,
      maxBytes: 100_000,
      topics: [{ name: 'two-wake', fetchPartitions: [{ partitionIndex: 0, fetchOffset: 0, maxBytes: 100_000 }] }],
    });
    const listener = brokers[1]!.app.get(KafkaListener);
    await until(() => listener.requestsInFlight === 1);
    const producer = new Kafka({ brokers: [`127.0.0.1:${ports[0]}`], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: 'two-wake', messages: [{ value: 'across' }] });
    await producer.disconnect();
    const answer = await waiting;
    const partition = (answer['responses'] as Array<{ partitionResponses: Array<{ recordSet: Buffer }> }>)[0]!
      .partitionResponses[0]!;
    expect(decodeRecordBatches(partition.recordSet)[0]!.records[0]!.value!.toString()).toBe('across');
    expect(Date.now() - started).toBeLessThan(10_000);
    waiter.close();
  });
});
