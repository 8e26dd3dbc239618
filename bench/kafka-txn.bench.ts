import { fmt, machineLine, printTable, runFor, startKafkaBenchBroker } from './harness.js';

// `npm run build && node dist/bench/kafka-txn.bench.js`: KafkaJS produce, plain and in
// transactions (one `send` per transaction, then `commit`; and with `sendOffsets` as
// consume-transform-produce commits), against the built broker on SQLite. Prints, asserts nothing.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

console.log(machineLine('Shoal Kafka transactions bench'));
const { broker, kafka } = await startKafkaBenchBroker();
const value = 'v'.repeat(100);
const rows: (string | number)[][] = [];
try {
  await broker.client.createTopic({ name: 'ktxn-in', partitions: 1 });
  for (const batch of [1, 100, 1000]) {
    const messages = Array.from({ length: batch }, (_, i) => ({ key: String(i), value }));
    const topic = `ktxn-${batch}`;
    await broker.client.createTopic({ name: topic, partitions: 4 });
    const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    const sent = await runFor(SECONDS, 1, async () => {
      await plain.send({ topic, acks: -1, messages });
      return batch;
    });
    await plain.disconnect();
    const measured = [sent];
    for (const withOffsets of [false, true]) {
      const producer = kafka.producer({
        transactionalId: `ktxn-${batch}-${withOffsets}`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      let offset = 0;
      measured.push(
        await runFor(SECONDS, 1, async () => {
          const transaction = await producer.transaction();
          await transaction.send({ topic, acks: -1, messages });
          if (withOffsets)
            await transaction.sendOffsets({
              consumerGroupId: 'ktxn-group',
              topics: [{ topic: 'ktxn-in', partitions: [{ partition: 0, offset: String((offset += batch)) }] }],
            });
          await transaction.commit();
          return batch;
        }),
      );
      await producer.disconnect();
    }
    rows.push([batch, ...measured.map((m) => `${fmt(m.units / m.elapsedS)} (${fmt(m.units / batch / m.elapsedS)}/s)`)]);
  }
  printTable(
    'KafkaJS produce, 100 B records on 4 partitions, 1 client (SQLite, synchronous=FULL): records/s (sends or transactions/s)',
    ['records per send', 'idempotent send', 'transaction: send + commit', 'send + sendOffsets + commit'],
    rows,
  );
} finally {
  await broker.stop();
}
