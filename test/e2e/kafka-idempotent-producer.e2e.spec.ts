import { ProducerSequences } from '../../src/kafka/records/producer-sequences.js';
import { encodeRecordBatch } from '../../src/kafka/protocol/record-batch.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

const PRODUCE = 0;
const INIT_PRODUCER_ID = 22;
const NONE = 0;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const INVALID_PRODUCER_EPOCH = 47;
const PRODUCER_FENCED = 90;

/**
 * The idempotent producer's checks with forced retries, as raw Produce requests: what a producer
 * sends again after a lost answer, out of order, or after it was fenced by a newer epoch.
 */
describe(`${ProducerSequences.name}: idempotent produce over the wire`, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let wire: KafkaWireClient;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() }));
    wire = await KafkaWireClient.connect(kafkaPortOf(broker.app));
  });
  afterAll(async () => {
    wire.close();
    await broker.close();
    await storage.dispose();
  });

  const init = (version: number, producerId = -1, producerEpoch = -1) =>
    wire.request(INIT_PRODUCER_ID, version, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId,
      producerEpoch,
    });

  /** One Produce (v7, acks -1) of one batch; answers partition 0's error code and base offset. */
  async function produce(
    topic: string,
    producer: { producerId: number; producerEpoch: number },
    baseSequence: number,
    values: string[],
  ) {
    const records = encodeRecordBatch({
      baseOffset: 0,
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch,
      baseSequence,
      records: values.map((v) => ({ timestamp: Date.now(), key: null, value: Buffer.from(v), headers: [] })),
    });
    const answer = await wire.request(PRODUCE, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5_000,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, records }] }],
    });
    const p = (answer['responses'] as { partitions: { errorCode: number; baseOffset: number }[] }[])[0].partitions[0];
    return { errorCode: p.errorCode, baseOffset: p.baseOffset };
  }

  const stored = async (topic: string) =>
    (await broker.client.read(topic, 0, { offset: 0, maxRecords: 100 })).records.map((r) =>
      Buffer.from(r.valueBase64!, 'base64').toString(),
    );

  it('answers a resent batch (the last one or one of the five before) with its offset, and stores it once', async () => {
    await broker.client.createTopic({ name: 'idem-dup', partitions: 1 });
    const started = await init(4);
    expect(started).toMatchObject({ errorCode: NONE, producerEpoch: 0 });
    const producer = { producerId: Number(started['producerId']), producerEpoch: 0 };
    expect(await produce('idem-dup', producer, 0, ['a', 'b'])).toEqual({ errorCode: NONE, baseOffset: 0 });
    expect(await produce('idem-dup', producer, 0, ['a', 'b'])).toEqual({ errorCode: NONE, baseOffset: 0 });
    expect(await produce('idem-dup', producer, 2, ['c'])).toEqual({ errorCode: NONE, baseOffset: 2 });
    expect(await produce('idem-dup', producer, 3, ['d'])).toEqual({ errorCode: NONE, baseOffset: 3 });
    // A retry of a batch that was in flight before the last one (max.in.flight > 1).
    expect(await produce('idem-dup', producer, 2, ['c'])).toEqual({ errorCode: NONE, baseOffset: 2 });
    expect(await produce('idem-dup', producer, 0, ['a', 'b'])).toEqual({ errorCode: NONE, baseOffset: 0 });
    expect(await produce('idem-dup', producer, 4, ['e'])).toEqual({ errorCode: NONE, baseOffset: 4 });
    expect(await stored('idem-dup')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('refuses a sequence gap or a step back with OUT_OF_ORDER_SEQUENCE_NUMBER and stores nothing of it', async () => {
    await broker.client.createTopic({ name: 'idem-order', partitions: 1 });
    const producer = { producerId: Number((await init(2))['producerId']), producerEpoch: 0 };
    expect(await produce('idem-order', producer, 0, ['a', 'b', 'c'])).toEqual({ errorCode: NONE, baseOffset: 0 });
    expect((await produce('idem-order', producer, 5, ['gap'])).errorCode).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce('idem-order', producer, 1, ['inside'])).errorCode).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce('idem-order', producer, 3, ['d'])).toEqual({ errorCode: NONE, baseOffset: 3 });
    expect(await stored('idem-order')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fences the old epoch once InitProducerId bumped it: Produce INVALID_PRODUCER_EPOCH, InitProducerId PRODUCER_FENCED', async () => {
    await broker.client.createTopic({ name: 'idem-epoch', partitions: 1 });
    const producerId = Number((await init(4))['producerId']);
    const old = { producerId, producerEpoch: 0 };
    expect(await produce('idem-epoch', old, 0, ['a'])).toEqual({ errorCode: NONE, baseOffset: 0 });
    const bumped = await init(4, producerId, 0);
    expect(bumped).toMatchObject({ errorCode: NONE, producerId, producerEpoch: 1 });
    const current = { producerId, producerEpoch: 1 };
    // The old epoch: its next batch and a retry of its last one are both fenced.
    expect((await produce('idem-epoch', old, 1, ['stale'])).errorCode).toBe(INVALID_PRODUCER_EPOCH);
    expect((await produce('idem-epoch', old, 0, ['a'])).errorCode).toBe(INVALID_PRODUCER_EPOCH);
    // A new epoch starts its sequence at 0.
    expect((await produce('idem-epoch', current, 1, ['b'])).errorCode).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce('idem-epoch', current, 0, ['b'])).toEqual({ errorCode: NONE, baseOffset: 1 });
    // A producer still on the old epoch asking to bump it is fenced, per InitProducerId's version.
    expect(await init(4, producerId, 0)).toMatchObject({ errorCode: PRODUCER_FENCED });
    expect(await init(3, producerId, 0)).toMatchObject({ errorCode: INVALID_PRODUCER_EPOCH });
    expect(await stored('idem-epoch')).toEqual(['a', 'b']);
  });
});
