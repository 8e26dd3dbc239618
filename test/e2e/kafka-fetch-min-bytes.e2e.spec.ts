import { FetchHandler } from '../../src/kafka/handlers/fetch.handler.js';
import { KafkaListener } from '../../src/kafka/kafka.listener.js';
import { decodeRecordBatches } from '../../src/kafka/protocol/record-batch.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

const FETCH = 1;
const VERSION = 11;

function fetchBody(topic: string, maxWait: number, minBytes: number) {
  return {
    replicaId: -1,
    maxWait,
    minBytes,
    maxBytes: 10_000_000,
    isolationLevel: 0,
    topics: [
      {
        name: topic,
        fetchPartitions: [0, 1].map((partitionIndex) => ({ partitionIndex, fetchOffset: 0, maxBytes: 1_000_000 })),
      },
    ],
    forgotten: [],
  };
}

type Answer = { responses: { partitionResponses: { partition: number; recordSet: Buffer }[] }[] };
const valuesOf = (answer: Record<string, unknown>) =>
  (answer as unknown as Answer).responses[0]!.partitionResponses.flatMap((p) =>
    decodeRecordBatches(p.recordSet).flatMap((b) => b.records.map((r) => `${p.partition}:${r.value!.length}`)),
  );
const bytesOf = (answer: Record<string, unknown>) =>
  (answer as unknown as Answer).responses[0]!.partitionResponses.reduce((n, p) => n + p.recordSet.length, 0);

/** Fetch's `minBytes`: the answer waits until that much record data is there across the partitions asked for. */
describe(`${FetchHandler.name} minBytes`, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let waiting: KafkaWireClient;
  let other: KafkaWireClient;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() }));
    waiting = await KafkaWireClient.connect(kafkaPortOf(broker.app));
    other = await KafkaWireClient.connect(kafkaPortOf(broker.app));
  });
  afterAll(async () => {
    waiting.close();
    other.close();
    await broker.close();
    await storage.dispose();
  });

  it('keeps waiting while fewer than minBytes are there, and answers as soon as enough arrive', async () => {
    await broker.client.createTopic({ name: 'min-bytes', partitions: 2 });
    const started = Date.now();
    let answeredAt = 0;
    const fetched = waiting.request(FETCH, VERSION, fetchBody('min-bytes', 5_000, 1_000)).then((answer) => {
      answeredAt = Date.now();
      return answer;
    });
    await until(() => broker.app.get(KafkaListener).requestsInFlight === 1);

    // A few small records on both partitions: the waiting fetch is woken, finds < 1,000 bytes, waits on.
    await broker.client.produce('min-bytes', [
      { value: 'a'.repeat(10), partition: 0 },
      { value: 'b'.repeat(10), partition: 1 },
      { value: 'c'.repeat(10), partition: 1 },
    ]);
    const small = await other.request(FETCH, VERSION, fetchBody('min-bytes', 0, 1));
    expect(bytesOf(small)).toBeGreaterThan(0);
    expect(bytesOf(small)).toBeLessThan(1_000);
    expect(answeredAt).toBe(0);

    const bigAt = Date.now();
    await broker.client.produce('min-bytes', [{ value: 'd'.repeat(1_200), partition: 0 }]);
    const answer = await fetched;
    // The answer holds the big record: it was sent after that append, not after the small ones.
    expect(valuesOf(answer).sort()).toEqual(['0:12', '0:1202', '1:12', '1:12']);
    expect(bytesOf(answer)).toBeGreaterThanOrEqual(1_000);
    expect(answeredAt).toBeGreaterThanOrEqual(bigAt);
    expect(answeredAt - started).toBeLessThan(5_000);
  });

  it('answers what there is at maxWait when minBytes never arrive', async () => {
    await broker.client.createTopic({ name: 'min-bytes-short', partitions: 2 });
    await broker.client.produce('min-bytes-short', [{ value: 'small', partition: 1 }]);
    const started = Date.now();
    const answer = await waiting.request(FETCH, VERSION, fetchBody('min-bytes-short', 300, 1_000));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(valuesOf(answer)).toEqual(['1:7']);
  });
});
