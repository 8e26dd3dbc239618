import { execFile } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { fmt, freePort, printTable, runFor, startBenchBroker } from './harness.js';
import { HttpLoad } from './http-load.js';

// `npm run bench:kafka`: produce through KafkaJS next to the same load over HTTP, and consume
// with kcat (librdkafka) — the Kafka listener against the built broker. Prints, asserts nothing.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const run = promisify(execFile);

console.log(
  `Shoal Kafka bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const kafkaPort = await freePort();
const broker = await startBenchBroker({ SHOAL_KAFKA_PORT: String(kafkaPort) });
const kafka = new Kafka({ brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING });
const value = 'v'.repeat(100);
const rows: (string | number)[][] = [];
try {
  for (const [batch, clients] of [
    [1, 1],
    [1, 16],
    [100, 1],
    [1000, 1],
    [1000, 4],
  ] as const) {
    const topic = `kbench-${batch}-${clients}`;
    await broker.client.createTopic({ name: topic, partitions: 4 });
    const producers = await Promise.all(
      Array.from({ length: clients }, async () => {
        const producer = kafka.producer();
        await producer.connect();
        return producer;
      }),
    );
    const messages = Array.from({ length: batch }, (_, i) => ({ key: String(i), value }));
    let next = 0;
    const viaKafka = await runFor(SECONDS, clients, async () => {
      await producers[next++ % clients]!.send({ topic, acks: -1, messages });
      return batch;
    });
    await Promise.all(producers.map((p) => p.disconnect()));
    const load = new HttpLoad(broker.url);
    const body = JSON.stringify({ records: Array.from({ length: batch }, (_, i) => ({ key: String(i), value })) });
    await broker.client.createTopic({ name: `${topic}-http`, partitions: 4 });
    const viaHttp = await runFor(SECONDS, clients, async () => {
      await load.request('POST', `/v1/topics/${topic}-http/records`, body);
      return batch;
    });
    load.close();
    rows.push([batch, clients, fmt(viaKafka.units / viaKafka.elapsedS), fmt(viaHttp.units / viaHttp.elapsedS)]);
  }
  printTable(
    'Produce 100 B records (SQLite, synchronous=FULL)',
    ['batch', 'clients', 'KafkaJS records/s', 'HTTP records/s'],
    rows,
  );

  // Consume: kcat reads a whole topic from the beginning to its end (process start included).
  const topic = 'kbench-1000-1';
  const total = (await broker.client.describeTopic(topic)).partitions.reduce((n, p) => n + p.endOffset, 0);
  const started = performance.now();
  const { stdout } = await run(
    'kcat',
    ['-b', `127.0.0.1:${kafkaPort}`, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\n'],
    { maxBuffer: 1 << 30 },
  );
  const seconds = (performance.now() - started) / 1000;
  const read = stdout.split('\n').length - 1;
  printTable(
    'Consume with kcat -C (4 partitions, Fetch)',
    ['records', 'seconds', 'records/s'],
    [[read, fmt(seconds, 2), fmt(read / seconds)]],
  );
  if (read !== total) console.log(`kcat read ${read} of ${total} records`);
} finally {
  await broker.stop();
}
