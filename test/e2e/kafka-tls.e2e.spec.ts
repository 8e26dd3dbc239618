import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { DEFAULT_SECURITY } from '../../src/config/shoal-config.js';
import { systemClock } from '../../src/platform/clock.js';
import { KafkaListener } from '../../src/kafka/kafka.listener.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { consumeValues, kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { selfSigned } from '../support/self-signed.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

/**
 * With the broker's certificate set (SHOAL_TLS_CERT / SHOAL_TLS_KEY), the Kafka listener speaks
 * TLS as HTTP does: KafkaJS with `ssl` works; a plaintext client gets no answer.
 */
describe(`${KafkaListener.name} with TLS`, () => {
  let dir: string;
  let storage: TestStorage;
  let broker: TestBroker;
  let cert: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-kafka-tls-'));
    const { cert: certFile, key: keyFile } = selfSigned(dir);
    cert = readFileSync(certFile, 'utf8');
    storage = await createTestStorage('sqlite');
    // HTTP stays plain here (the test talks to the services directly); only the Kafka side is checked.
    broker = await startBroker(
      testConfig(storage.storage, {
        kafka: kafkaTestConfig(),
        security: { ...DEFAULT_SECURITY, tlsCert: certFile, tlsKey: keyFile },
      }),
      systemClock, // a consumer group's join round waits on the clock
    );
  });
  afterAll(async () => {
    await broker?.close();
    await storage?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves KafkaJS over TLS: admin, produce and consume', async () => {
    const kafka = new Kafka({
      clientId: 'kafkajs-tls',
      brokers: [`127.0.0.1:${kafkaPortOf(broker.app)}`],
      ssl: { ca: [cert] },
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tls-jobs', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'tls-jobs', messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'tls-readers' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['tls-jobs'], fromBeginning: true });
    const seen = await consumeValues(consumer, 2);
    await consumer.disconnect();
    expect(seen).toEqual(['one', 'two']);
  });

  it('answers nothing to a plaintext client, which is disconnected', async () => {
    const plain = await KafkaWireClient.connect(kafkaPortOf(broker.app));
    await expect(plain.request(18, 0, {})).rejects.toThrow();
  });
});
