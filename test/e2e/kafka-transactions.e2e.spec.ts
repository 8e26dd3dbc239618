import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { ManualClock } from '../../src/platform/clock.js';
import { KafkaTransactions } from '../../src/kafka/transactions/kafka-transactions.service.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
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
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              seen.push(message.value!.toString());
              if (seen.length === 3) resolve();
            },
          })
          .catch(reject);
      });
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
