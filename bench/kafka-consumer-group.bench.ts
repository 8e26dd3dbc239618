import { Kafka, logLevel } from 'kafkajs';
import { benchConsumerGroups } from './consumer-group.bench.js';
import { type BenchBroker, fmt, freePort, printTable, startBenchBroker } from './harness.js';
import { HttpLoad } from './http-load.js';

const RECORDS = Number(process.env.BENCH_CONSUMER_RECORDS ?? 200_000);

/**
 * Kafka consumer groups through KafkaJS 2.2.4 next to the HTTP consumer-group figure on the same
 * broker and machine: members of one group drain a 4-partition topic of 100-byte records
 * (KafkaJS's defaults: fetches of up to 10 MiB, a commit after each batch).
 * `npm run build && node dist/bench/kafka-consumer-group.bench.js`.
 */
async function benchKafkaConsumerGroups(broker: BenchBroker, kafkaPort: number): Promise<void> {
  const topic = 'kafka-consumer-bench';
  await broker.client.createTopic({ name: topic, partitions: 4 });
  const load = new HttpLoad(broker.url);
  const body = JSON.stringify({
    records: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(98) })),
  });
  for (let i = 0; i < RECORDS / 1000; i++) await load.request('POST', `/v1/topics/${topic}/records`, body);

  const kafka = new Kafka({ clientId: 'bench', brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING });
  const rows: (string | number)[][] = [];
  for (const memberCount of [1, 4]) {
    const groupId = `kafka-bench-${memberCount}`;
    let consumed = 0;
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const consumers = Array.from({ length: memberCount }, () => kafka.consumer({ groupId, maxWaitTimeInMs: 100 }));
    const started = performance.now();
    let firstRecordAt = 0;
    await Promise.all(
      consumers.map(async (consumer) => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachBatch: async ({ batch }) => {
            firstRecordAt ||= performance.now();
            consumed += batch.messages.length;
            if (consumed >= RECORDS) done();
          },
        });
      }),
    );
    await finished;
    const ended = performance.now();
    await Promise.all(consumers.map((c) => c.disconnect()));
    const seconds = (ended - firstRecordAt) / 1000;
    rows.push([memberCount, fmt(consumed / seconds), fmt(seconds, 2), fmt((ended - started) / 1000, 2)]);
  }
  printTable(
    `Kafka consumer group through KafkaJS (${RECORDS} records of 100 B on 4 partitions)`,
    ['consumers', 'records/s (first record to last)', 'seconds', 'seconds from connect (joins included)'],
    rows,
  );
}

const kafkaPort = await freePort();
const broker = await startBenchBroker({ SHOAL_KAFKA_PORT: String(kafkaPort) });
try {
  await benchKafkaConsumerGroups(broker, kafkaPort);
  await benchConsumerGroups(broker);
} finally {
  await broker.stop();
}
