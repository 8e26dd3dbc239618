import { Kafka, logLevel } from 'kafkajs';
import { FetchHandler } from '../../src/kafka/handlers/fetch.handler.js';
import { KafkaListener } from '../../src/kafka/kafka.listener.js';
import { crc32c } from '../../src/kafka/protocol/crc32c.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/kafka/protocol/record-batch.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

const FETCH_VERSION = 11;

function fetchBody(topic: string, partition: number, fetchOffset: number, maxWait = 0, minBytes = 1) {
  return {
    replicaId: -1,
    maxWait,
    minBytes,
    maxBytes: 10_000_000,
    isolationLevel: 0,
    topics: [{ name: topic, fetchPartitions: [{ partitionIndex: partition, fetchOffset, maxBytes: 1_000_000 }] }],
    forgotten: [],
  };
}

type PartitionAnswer = { errorCode: number; highWatermark: number; recordSet: Buffer };
const partitionOf = (answer: Record<string, unknown>) =>
  (answer['responses'] as Array<{ partitionResponses: PartitionAnswer[] }>)[0]!.partitionResponses[0]!;

describe.each(STORAGE_KINDS)(`${FetchHandler.name}: the same data through HTTP and Kafka on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  let port: number;
  let wire: KafkaWireClient;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() }));
    port = kafkaPortOf(broker.app);
    wire = await KafkaWireClient.connect(port);
  });
  afterAll(async () => {
    wire.close();
    await broker.close();
    await storage.dispose();
  });

  it('reads through Kafka Fetch what HTTP produced: keys, JSON and byte values, headers, timestamps', async () => {
    await broker.client.createTopic({ name: 'both-http-in', partitions: 2 });
    await broker.client.produce('both-http-in', [
      { key: 'a', value: { total: 42 }, headers: { trace: 'abc' }, partition: 1, timestamp: 1_700_000_000_123 },
      { valueBase64: Buffer.from([0, 1, 255]).toString('base64'), partition: 1 },
    ]);
    const answer = partitionOf(await wire.request(1, FETCH_VERSION, fetchBody('both-http-in', 1, 0)));
    expect(answer.errorCode).toBe(0);
    expect(answer.highWatermark).toBe(2);
    const records = decodeRecordBatches(answer.recordSet).flatMap((b) => b.records);
    expect(records.map((r) => r.offset)).toEqual([0, 1]);
    expect(records[0]!.key!.toString()).toBe('a');
    expect(records[0]!.value!.toString()).toBe('{"total":42}');
    expect(records[0]!.headers).toEqual([{ key: 'trace', value: Buffer.from('abc') }]);
    expect(records[0]!.timestamp).toBe(1_700_000_000_123);
    expect(records[1]!.key).toBeNull();
    expect(records[1]!.value).toEqual(Buffer.from([0, 1, 255]));
  });

  it('reads through HTTP what KafkaJS produced, and Kafka gets back the very bytes', async () => {
    await broker.client.createTopic({ name: 'both-kafka-in', partitions: 1 });
    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const spaced = '{ "a" : [1, 2.50] }';
    await producer.send({
      topic: 'both-kafka-in',
      messages: [
        { key: 'k', value: spaced, headers: { h: 'v' }, timestamp: '1700000000999' },
        { value: Buffer.from([0xff, 0xfe]) },
      ],
    });
    await producer.disconnect();
    const { records } = await broker.client.read('both-kafka-in', 0, { offset: 0, maxRecords: 10 });
    expect(records[0]).toMatchObject({
      key: 'k',
      value: { a: [1, 2.5] },
      headers: { h: 'v' },
      timestamp: 1_700_000_000_999,
    });
    expect(Buffer.from(records[1]!.valueBase64!, 'base64')).toEqual(Buffer.from([0xff, 0xfe]));
    const back = decodeRecordBatches(
      partitionOf(await wire.request(1, FETCH_VERSION, fetchBody('both-kafka-in', 0, 0))).recordSet,
    );
    expect(back[0]!.records[0]!.value!.toString()).toBe(spaced);
  });

  it('wakes a waiting fetch when HTTP appends, long before maxWait', async () => {
    await broker.client.createTopic({ name: 'both-long-poll', partitions: 1 });
    const started = Date.now();
    const waiting = wire.request(1, FETCH_VERSION, fetchBody('both-long-poll', 0, 0, 30_000));
    // The fetch found nothing and waits; had it missed the wake-up, it would answer only at 30 s.
    await until(() => broker.app.get(KafkaListener).requestsInFlight === 1);
    await broker.client.produce('both-long-poll', [{ value: 'wake' }]);
    const answer = partitionOf(await waiting);
    expect(decodeRecordBatches(answer.recordSet)[0]!.records).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers an empty fetch at maxWait, and an offset past the end with OFFSET_OUT_OF_RANGE', async () => {
    await broker.client.createTopic({ name: 'both-empty', partitions: 1 });
    const empty = partitionOf(await wire.request(1, FETCH_VERSION, fetchBody('both-empty', 0, 0, 100)));
    expect(empty).toMatchObject({ errorCode: 0, highWatermark: 0 });
    expect(empty.recordSet).toHaveLength(0);
    expect(partitionOf(await wire.request(1, FETCH_VERSION, fetchBody('both-empty', 0, 5))).errorCode).toBe(1);
    expect(partitionOf(await wire.request(1, FETCH_VERSION, fetchBody('no-such-topic', 0, 0))).errorCode).toBe(3);
  });

  it('appends acks=0 produce without answering, refuses lz4 and snappy, and drops a resent idempotent batch', async () => {
    await broker.client.createTopic({ name: 'both-produce', partitions: 1 });
    const produce = (records: Buffer, acks = -1) => ({
      transactionalId: null,
      acks,
      timeoutMs: 1000,
      topics: [{ name: 'both-produce', partitions: [{ partitionIndex: 0, records }] }],
    });
    const one = (value: string, extra = {}) =>
      encodeRecordBatch({
        baseOffset: 0,
        records: [{ timestamp: Date.now(), key: null, value: Buffer.from(value), headers: [] }],
        ...extra,
      });
    wire.send(0, 7, produce(one('no answer'), 0));
    const code = (answer: Record<string, unknown>) =>
      (answer['responses'] as Array<{ partitions: Array<{ errorCode: number; baseOffset: number }> }>)[0]!
        .partitions[0]!;
    const lz4 = Buffer.from(one('x'));
    lz4.writeInt16BE(3, 21);
    expect(code(await wire.request(0, 7, produce(lz4))).errorCode).toBe(2); // CRC no longer matches: corrupt
    lz4.writeUInt32BE(crc32c(lz4.subarray(21)), 17);
    expect(code(await wire.request(0, 7, produce(lz4))).errorCode).toBe(76);
    const idempotent = { producerId: 77, producerEpoch: 0, baseSequence: 0 };
    const first = code(await wire.request(0, 7, produce(one('once', idempotent))));
    const again = code(await wire.request(0, 7, produce(one('once', idempotent))));
    expect(again).toEqual(first);
    const gap = code(await wire.request(0, 7, produce(one('gap', { ...idempotent, baseSequence: 5 }))));
    expect(gap.errorCode).toBe(45);
    const { records } = await broker.client.read('both-produce', 0, { offset: 0, maxRecords: 10 });
    expect(records.map((r) => Buffer.from(r.valueBase64!, 'base64').toString())).toEqual(['no answer', 'once']);
  });
});
