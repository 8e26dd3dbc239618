import { KafkaListener } from '../../src/kafka/kafka.listener.js';
import { startBroker } from '../support/broker.js';
import { until } from '../support/until.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { createTestStorage, testConfig } from '../support/storage.js';

describe(`${KafkaListener.name} shutting down`, () => {
  it('answers a waiting Fetch at once, then closes its connections and stops accepting', async () => {
    const storage = await createTestStorage('sqlite');
    const broker = await startBroker(
      testConfig(storage.storage, { kafka: kafkaTestConfig(), shutdownGraceMs: 20_000 }),
    );
    const port = kafkaPortOf(broker.app);
    await broker.client.createTopic({ name: 'shutdown-fetch', partitions: 1 });
    const client = await KafkaWireClient.connect(port);
    const fetch = {
      replicaId: -1,
      maxWait: 30_000,
      minBytes: 1,
      maxBytes: 1000,
      topics: [{ name: 'shutdown-fetch', fetchPartitions: [{ partitionIndex: 0, fetchOffset: 0, maxBytes: 1000 }] }],
    };
    const waiting = client.request(1, 11, fetch);
    // The fetch is read and waiting before the close begins: a request in flight is answered, not cut off.
    const listener = broker.app.get(KafkaListener);
    await until(() => listener.requestsInFlight === 1);
    const started = Date.now();
    await broker.close();
    const answer = await waiting;
    expect(answer['errorCode']).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    await client.closed();
    await expect(KafkaWireClient.connect(port)).rejects.toThrow();
    await storage.dispose();
  });
});
