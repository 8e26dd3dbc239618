import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { fmt, machineLine, printTable, runFor, startKafkaBenchBroker } from './harness.js';
import { HttpLoad } from './http-load.js';
import { FrameReader } from '../src/kafka/protocol/frame-reader.js';
import { decodeResponse, encodeRequest } from '../src/kafka/protocol/kafka-codec.js';
import { encodeRecordBatch } from '../src/kafka/protocol/record-batch.js';

// `npm run bench:kafka`: produce through KafkaJS next to the same load over HTTP, and consume
// with kcat (librdkafka) — the Kafka listener against the built broker. Prints, asserts nothing.
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const run = promisify(execFile);

console.log(machineLine('Shoal Kafka bench'));
const { broker, kafka, kafkaPort } = await startKafkaBenchBroker();
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
  rows.push([1000, '1, pre-encoded (no client library)', fmt(await rawProduce(1000)), '']);
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

/**
 * One connection sending Produce requests of one pre-encoded batch, one at a time: what the
 * broker's side costs without a client library's encoding (KafkaJS's, on the same 2 cores).
 */
async function rawProduce(batch: number): Promise<number> {
  await broker.client.createTopic({ name: 'kbench-raw', partitions: 4 });
  const records = Array.from({ length: batch }, (_, i) => ({
    timestamp: Date.now(),
    key: Buffer.from(String(i)),
    value: Buffer.from(value),
    headers: [],
  }));
  const encoded = encodeRecordBatch({ baseOffset: 0, records });
  const socket = connect(kafkaPort, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const frames = new FrameReader(1 << 30);
  let answered: (frame: Buffer) => void = () => undefined;
  socket.on('data', (chunk: Buffer) => frames.push(chunk).forEach((frame) => answered(frame)));
  let correlationId = 0;
  const { units, elapsedS } = await runFor(SECONDS, 1, async () => {
    const partitions = [{ partitionIndex: correlationId % 4, records: encoded }];
    const body = { transactionalId: null, acks: -1, timeoutMs: 1000, topics: [{ name: 'kbench-raw', partitions }] };
    const answer = new Promise<Buffer>((resolve) => (answered = resolve));
    socket.write(
      encodeRequest(
        { requestApiKey: 0, requestApiVersion: 7, correlationId: ++correlationId, clientId: 'bench' },
        body,
      ),
    );
    decodeResponse(0, 7, await answer);
    return batch;
  });
  socket.destroy();
  return units / elapsedS;
}
