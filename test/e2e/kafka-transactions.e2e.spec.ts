import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { ManualClock } from '../../src/platform/clock.js';
import { encodeRecordBatch } from '../../src/kafka/protocol/record-batch.js';
import { KafkaTransactions } from '../../src/kafka/transactions/kafka-transactions.service.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { consumeValues, kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

/**
 * KafkaJS 2.2.4's transactional producer against the broker (in process, its clock injected):
 * a committed transaction's records and offsets appear together, an aborted or timed-out one's
 * never, and a second producer with the same transactional id fences the first.
 */
describe.each(STORAGE_KINDS)(`${KafkaTransactions.name} with KafkaJS on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  let kafka: Kafka;
  const producers: Producer[] = [];
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(
      testConfig(storage.storage, { kafka: kafkaTestConfig(), kafkaGroupInitialRebalanceDelayMs: 0 }),
    );
    kafka = new Kafka({
      clientId: 'txn-test',
      brokers: [`127.0.0.1:${kafkaPortOf(broker.app)}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 50 },
    });
  });
  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    await broker.close();
    await storage.dispose();
  });

  async function transactional(transactionalId: string, transactionTimeout?: number): Promise<Producer> {
    const producer = kafka.producer({ transactionalId, maxInFlightRequests: 1, idempotent: true, transactionTimeout });
    producers.push(producer);
    await producer.connect();
    return producer;
  }

  const values = async (topic: string, partition = 0) =>
    (await broker.client.read(topic, partition, { offset: 0, maxRecords: 100 })).records.map(
      (r) => r.value ?? Buffer.from(r.valueBase64!, 'base64').toString(),
    );

  it('shows a committed transaction to a read_committed consumer and never an aborted one', async () => {
    await broker.client.createTopic({ name: 'txn-visible', partitions: 2 });
    const producer = await transactional('txn-visible');
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'txn-visible', messages: [{ key: 'a', value: 'aborted-1', partition: 0 }] });
    await aborted.send({ topic: 'txn-visible', messages: [{ key: 'b', value: 'aborted-2', partition: 1 }] });
    expect(await values('txn-visible')).toEqual([]); // open: not in the log
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({
      topic: 'txn-visible',
      messages: [
        { key: 'c', value: 'committed-1', partition: 0 },
        { key: 'd', value: 'committed-2', partition: 1 },
      ],
    });
    await committed.send({ topic: 'txn-visible', messages: [{ key: 'e', value: 'committed-3', partition: 0 }] });
    expect(await values('txn-visible')).toEqual([]);
    await committed.commit();
    expect(await values('txn-visible', 0)).toEqual(['committed-1', 'committed-3']);
    expect(await values('txn-visible', 1)).toEqual(['committed-2']);

    const consumer = kafka.consumer({ groupId: 'txn-visible-reader', readUncommitted: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'txn-visible', fromBeginning: true });
      const seen = await consumeValues(consumer, 3);
      expect(seen.sort()).toEqual(['committed-1', 'committed-2', 'committed-3']);
    } finally {
      await consumer.disconnect();
    }
  });

  it('commits sendOffsets() with the records, atomically: both at commit, neither on abort', async () => {
    await broker.client.createTopic({ name: 'txn-in', partitions: 1 });
    await broker.client.createTopic({ name: 'txn-out', partitions: 1 });
    const admin = kafka.admin();
    await admin.connect();
    const committedOffset = async () =>
      (await admin.fetchOffsets({ groupId: 'txn-ctp', topics: ['txn-in'] }))[0]!.partitions[0]!.offset;
    try {
      const producer = await transactional('txn-offsets');
      const aborted = await producer.transaction();
      await aborted.send({ topic: 'txn-out', messages: [{ value: 'out-aborted' }] });
      await aborted.sendOffsets({
        consumerGroupId: 'txn-ctp',
        topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: '3' }] }],
      });
      await aborted.abort();
      expect(await committedOffset()).toBe('-1');
      expect(await values('txn-out')).toEqual([]);

      const committed = await producer.transaction();
      await committed.send({ topic: 'txn-out', messages: [{ value: 'out-1' }, { value: 'out-2' }] });
      await committed.sendOffsets({
        consumerGroupId: 'txn-ctp',
        topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: '2' }] }],
      });
      expect(await committedOffset()).toBe('-1'); // not before the commit
      await committed.commit();
      expect(await committedOffset()).toBe('2');
      expect(await values('txn-out')).toEqual(['out-1', 'out-2']);
    } finally {
      await admin.disconnect();
    }
  });

  it('fences the first producer when a second one inits the same transactional id, aborting its open transaction', async () => {
    await broker.client.createTopic({ name: 'txn-fence', partitions: 1 });
    const zombie = await transactional('txn-fence');
    const old = await zombie.transaction();
    await old.send({ topic: 'txn-fence', messages: [{ value: 'zombie-1' }] });
    const successor = await transactional('txn-fence');
    const fresh = await successor.transaction(); // InitProducerId: epoch + 1, the open transaction aborted
    await expect(old.send({ topic: 'txn-fence', messages: [{ value: 'zombie-2' }] })).rejects.toThrow(/epoch/i);
    await expect(old.commit()).rejects.toThrow(/epoch/i);
    await fresh.send({ topic: 'txn-fence', messages: [{ value: 'successor' }] });
    await fresh.commit();
    expect(await values('txn-fence')).toEqual(['successor']);
  });

  it('aborts a transaction open past transaction.timeout.ms (the injected clock) and fences its producer', async () => {
    await broker.client.createTopic({ name: 'txn-timeout', partitions: 1 });
    const clock = broker.clock as ManualClock;
    const producer = await transactional('txn-timeout', 5_000);
    const slow = await producer.transaction();
    await slow.send({ topic: 'txn-timeout', messages: [{ value: 'late' }] });
    clock.advance(4_999);
    expect(await broker.app.get(KafkaTransactions).abortExpired()).toBe(0);
    clock.advance(1);
    expect(await broker.app.get(KafkaTransactions).abortExpired()).toBe(1);
    await expect(slow.commit()).rejects.toThrow(/epoch/i);
    expect(await values('txn-timeout')).toEqual([]);

    // Without the sweep, the next request finds the transaction expired just the same.
    const again = await transactional('txn-timeout', 5_000);
    const second = await again.transaction();
    await second.send({ topic: 'txn-timeout', messages: [{ value: 'late-again' }] });
    clock.advance(5_000);
    await expect(second.commit()).rejects.toThrow(/epoch/i);
    expect(await values('txn-timeout')).toEqual([]);
  });
});

const PRODUCE = 0;
const INIT_PRODUCER_ID = 22;
const ADD_PARTITIONS_TO_TXN = 24;
const ADD_OFFSETS_TO_TXN = 25;
const END_TXN = 26;
const Code = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_GROUP_ID: 24,
  INVALID_REQUEST: 42,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  OPERATION_NOT_ATTEMPTED: 55,
  PRODUCER_FENCED: 90,
};

const DAY = 24 * 3_600_000;

type ProducerIdentity = { producerId: number; producerEpoch: number };

/** The transaction APIs as raw requests on one connection, for one topic's partition 0. */
class TxnWire {
  constructor(
    private readonly wire: KafkaWireClient,
    private readonly topic: string,
  ) {}

  async init(transactionalId: string, version = 4, producerId = -1, producerEpoch = -1, timeoutMs = 60_000) {
    return (await this.wire.request(INIT_PRODUCER_ID, version, {
      transactionalId,
      transactionTimeoutMs: timeoutMs,
      producerId,
      producerEpoch,
    })) as { errorCode: number } & ProducerIdentity;
  }

  async add(id: string, p: ProducerIdentity, partitions = [0], version = 3): Promise<number[]> {
    const answer = (await this.wire.request(ADD_PARTITIONS_TO_TXN, version, {
      v3AndBelowTransactionalId: id,
      v3AndBelowProducerId: p.producerId,
      v3AndBelowProducerEpoch: p.producerEpoch,
      v3AndBelowTopics: [{ name: this.topic, partitions }],
    })) as { resultsByTopicV3AndBelow: { resultsByPartition: { partitionErrorCode: number }[] }[] };
    return answer.resultsByTopicV3AndBelow[0]!.resultsByPartition.map((r) => r.partitionErrorCode);
  }

  async end(id: string, p: ProducerIdentity, committed: boolean, version = 3) {
    return (await this.wire.request(END_TXN, version, { transactionalId: id, ...p, committed }))['errorCode'];
  }

  /** A transactional batch of `values` to partition 0: its error code. */
  async produce(p: ProducerIdentity, baseSequence: number, values: string[]) {
    const records = encodeRecordBatch({
      baseOffset: 0,
      ...p,
      baseSequence,
      transactional: true,
      records: values.map((v) => ({ timestamp: Date.now(), key: null, value: Buffer.from(v), headers: [] })),
    });
    const answer = await this.wire.request(PRODUCE, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5_000,
      topics: [{ name: this.topic, partitions: [{ partitionIndex: 0, records }] }],
    });
    return (answer['responses'] as { partitions: { errorCode: number }[] }[])[0]!.partitions[0]!.errorCode;
  }
}

/** The transaction APIs' rules over the wire, with the project's codec: retries, sequences, versions. */
describe(`${KafkaTransactions.name} over the wire`, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let wire: KafkaWireClient;
  let tx: TxnWire;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() }));
    wire = await KafkaWireClient.connect(kafkaPortOf(broker.app));
    tx = new TxnWire(wire, 'wire-txn');
    await broker.client.createTopic({ name: 'wire-txn', partitions: 1 });
  });
  afterAll(async () => {
    wire.close();
    await broker.close();
    await storage.dispose();
  });

  const stored = async () =>
    (await broker.client.read('wire-txn', 0, { offset: 0, maxRecords: 100 })).records.map((r) =>
      Buffer.from(r.valueBase64!, 'base64').toString(),
    );

  it('keeps a resent batch once, refuses a gap, and answers a resent EndTxn as the first', async () => {
    const p = await tx.init('wire');
    expect(p).toMatchObject({ errorCode: Code.NONE, producerEpoch: 0 });
    expect(await tx.produce(p, 0, ['x'])).toBe(Code.INVALID_TXN_STATE); // no AddPartitionsToTxn yet
    expect(await tx.add('wire', p)).toEqual([Code.NONE]);
    expect(await tx.produce(p, 0, ['a', 'b'])).toBe(Code.NONE);
    expect(await tx.produce(p, 0, ['a', 'b'])).toBe(Code.NONE); // the same batch again
    expect(await tx.produce(p, 5, ['z'])).toBe(Code.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await tx.produce(p, 2, ['c'])).toBe(Code.NONE);
    expect(await tx.end('wire', p, true)).toBe(Code.NONE);
    expect(await tx.end('wire', p, true)).toBe(Code.NONE); // a retry after a lost answer
    expect(await tx.end('wire', p, false)).toBe(Code.INVALID_TXN_STATE);
    expect(await stored()).toEqual(['a', 'b', 'c']);
  });

  it('answers fencing by version, and refuses unknown ids, partitions and timeouts', async () => {
    const first = await tx.init('wire-fence');
    const second = await tx.init('wire-fence');
    expect(second).toMatchObject({ errorCode: Code.NONE, producerId: first.producerId, producerEpoch: 1 });
    expect(await tx.end('wire-fence', first, true, 1)).toBe(Code.INVALID_PRODUCER_EPOCH);
    expect(await tx.end('wire-fence', first, true, 2)).toBe(Code.PRODUCER_FENCED);
    expect(await tx.add('wire-fence', first, [0], 1)).toEqual([Code.INVALID_PRODUCER_EPOCH]);
    expect(await tx.produce(first, 0, ['stale'])).toBe(Code.INVALID_PRODUCER_EPOCH);
    // KIP-360: a producer naming its own id and epoch bumps them; a stale one is fenced.
    expect(await tx.init('wire-fence', 4, second.producerId, second.producerEpoch)).toMatchObject({ producerEpoch: 2 });
    expect((await tx.init('wire-fence', 4, first.producerId, first.producerEpoch)).errorCode).toBe(
      Code.PRODUCER_FENCED,
    );
    expect((await tx.init('wire-fence', 3, first.producerId, first.producerEpoch)).errorCode).toBe(
      Code.INVALID_PRODUCER_EPOCH,
    );
    expect(await tx.end('nobody', first, true)).toBe(Code.INVALID_PRODUCER_ID_MAPPING);
    expect(await tx.add('wire-fence', { ...second, producerEpoch: 2 }, [0, 7])).toEqual([
      Code.OPERATION_NOT_ATTEMPTED,
      Code.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect((await tx.init('wire-slow', 4, -1, -1, 900_001)).errorCode).toBe(Code.INVALID_TRANSACTION_TIMEOUT);
    expect((await tx.init('', 4)).errorCode).toBe(Code.INVALID_REQUEST);
    expect((await tx.init('x'.repeat(256), 4)).errorCode).toBe(Code.INVALID_REQUEST);
    const badGroup = await wire.request(ADD_OFFSETS_TO_TXN, 3, {
      transactionalId: 'wire-fence',
      ...second,
      producerEpoch: 2,
      groupId: 'not a group name!',
    });
    expect(badGroup['errorCode']).toBe(Code.INVALID_GROUP_ID);
    expect(await stored()).not.toContain('stale');
  });

  it('forgets an id idle past transactional.id.expiration.ms (7 days, the injected clock); use keeps it', async () => {
    const clock = broker.clock as ManualClock;
    const transactions = broker.app.get(KafkaTransactions);
    const idle = await tx.init('wire-idle');
    const busy = await tx.init('wire-busy');
    clock.advance(6 * DAY);
    expect(await tx.add('wire-busy', busy)).toEqual([Code.NONE]);
    expect(await tx.end('wire-busy', busy, false)).toBe(Code.NONE); // its state changed 6 days in
    clock.advance(DAY - 1);
    await transactions.forgetIdle();
    expect(await tx.end('wire-idle', idle, false)).toBe(Code.INVALID_TXN_STATE); // still known, no transaction
    clock.advance(1);
    expect(await transactions.forgetIdle()).toBeGreaterThanOrEqual(1);
    expect(await tx.end('wire-idle', idle, false)).toBe(Code.INVALID_PRODUCER_ID_MAPPING);
    expect(await tx.produce(idle, 0, ['late'])).toBe(Code.INVALID_PRODUCER_ID_MAPPING);
    expect(await tx.end('wire-busy', busy, false)).toBe(Code.NONE); // ended the same way again: still known
    const again = await tx.init('wire-idle');
    expect(again).toMatchObject({ errorCode: Code.NONE, producerEpoch: 0 });
    expect(again.producerId).not.toBe(idle.producerId);
    expect(await stored()).not.toContain('late');
  });
});

/** The database is a transaction's only state: one begun on a broker is finished on another. */
describe(`${KafkaTransactions.name} on two brokers over one PostgreSQL`, () => {
  let storage: TestStorage;
  const brokers: TestBroker[] = [];
  const wires: KafkaWireClient[] = [];
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    for (let i = 0; i < 2; i++) {
      const broker = await startBroker(testConfig(storage.storage, { kafka: kafkaTestConfig() }));
      brokers.push(broker);
      wires.push(await KafkaWireClient.connect(kafkaPortOf(broker.app)));
    }
    await brokers[0]!.client.createTopic({ name: 'two-txn', partitions: 1 });
  });
  afterAll(async () => {
    for (const wire of wires) wire.close();
    for (const broker of brokers) await broker.close();
    await storage.dispose();
  });

  it('inits on one broker, produces on the other, commits on the first: the records appear once', async () => {
    const [one, two] = wires.map((wire) => new TxnWire(wire, 'two-txn')) as [TxnWire, TxnWire];
    const p = await one.init('two');
    expect(await two.add('two', p)).toEqual([Code.NONE]);
    expect(await two.produce(p, 0, ['x', 'y'])).toBe(Code.NONE);
    expect(await one.end('two', p, true)).toBe(Code.NONE);
    const read = await brokers[1]!.client.read('two-txn', 0, { offset: 0, maxRecords: 10 });
    expect(read.records.map((r) => Buffer.from(r.valueBase64!, 'base64').toString())).toEqual(['x', 'y']);
  });

  it('forgets an idle id from either broker, never one with an open transaction', async () => {
    const [one, two] = wires.map((wire) => new TxnWire(wire, 'two-txn')) as [TxnWire, TxnWire];
    const idle = await one.init('two-idle');
    const open = await one.init('two-open');
    expect(await one.add('two-open', open)).toEqual([Code.NONE]);
    const later = (brokers[1]!.clock as ManualClock).now() + 8 * DAY;
    expect(await brokers[1]!.app.get(KafkaTransactions).forgetIdle(later)).toBeGreaterThanOrEqual(1);
    expect(await two.end('two-idle', idle, false)).toBe(Code.INVALID_PRODUCER_ID_MAPPING);
    expect(await two.end('two-open', open, false)).toBe(Code.NONE);
  });
});
