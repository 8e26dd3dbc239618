import { connect, type Socket } from 'node:net';
import type { Acknowledgement, ShareFetchResponse } from '@shoal/protocol';
import { FrameReader } from '../src/kafka/protocol/frame-reader.js';
import { decodeResponse, encodeRequest } from '../src/kafka/protocol/kafka-codec.js';
import { topicIdOfName } from '../src/kafka/share/name-hash-topic-ids.js';
import { type BenchBroker, fmt, freePort, printTable, startBenchBroker } from './harness.js';
import { HttpLoad } from './http-load.js';

const RECORDS = Number(process.env.BENCH_SHARE_RECORDS ?? 50_000);
const BATCH = 100;

/** One Kafka connection: requests answered in order, matched by correlation id. */
class KafkaConnection {
  private correlationId = 0;
  private readonly frames = new FrameReader(256 << 20);
  private readonly waiting = new Map<
    number,
    { apiKey: number; version: number; resolve: (b: Record<string, unknown>) => void }
  >();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.frames.push(chunk)) {
        const entry = this.waiting.get(frame.readInt32BE(0))!;
        this.waiting.delete(frame.readInt32BE(0));
        entry.resolve(decodeResponse(entry.apiKey, entry.version, frame).body);
      }
    });
  }

  static async open(port: number): Promise<KafkaConnection> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new KafkaConnection(socket);
  }

  send(apiKey: number, version: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const correlationId = ++this.correlationId;
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: 'bench' };
    return new Promise((resolve) => {
      this.waiting.set(correlationId, { apiKey, version, resolve });
      this.socket.write(encodeRequest(header, body));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

async function fill(broker: BenchBroker, load: HttpLoad, topic: string, group: string): Promise<void> {
  await broker.client.createTopic({ name: topic, partitions: 4 });
  const body = JSON.stringify({
    records: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(98) })),
  });
  for (let i = 0; i < RECORDS / 1000; i++) await load.request('POST', `/v1/topics/${topic}/records`, body);
  await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest' });
}

/** Members drain the topic over HTTP: fetches of 100, each batch accepted on the next fetch. */
async function overHttp(broker: BenchBroker, members: number): Promise<number> {
  const load = new HttpLoad(broker.url);
  const [topic, group] = [`http-share-${members}`, `http-share-${members}`];
  await fill(broker, load, topic, group);
  const ids: string[] = [];
  for (let i = 0; i < members; i++) ids.push((await broker.client.joinShareGroup(group, { topics: [topic] })).memberId);
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    ids.map(async (memberId) => {
      let acks: Acknowledgement[] = [];
      while (accepted < RECORDS) {
        const path = `/v1/share-groups/${group}/members/${memberId}/fetch`;
        const answer = JSON.parse(
          await load.request('POST', path, JSON.stringify({ maxRecords: BATCH, maxWaitMs: 50, acks })),
        ) as ShareFetchResponse;
        accepted += answer.ackResults.filter((r) => r.error === null).length;
        acks = answer.records.map((r) => ({
          topic,
          partition: r.partition,
          offset: r.offset,
          type: 'accept' as const,
        }));
      }
    }),
  );
  return RECORDS / ((performance.now() - started) / 1000);
}

/** The same through KIP-932: ShareGroupHeartbeat, then ShareFetch with the last batch's AcquiredRecords accepted. */
async function overKafka(broker: BenchBroker, kafkaPort: number, members: number): Promise<number> {
  const load = new HttpLoad(broker.url);
  const [topic, group] = [`kafka-share-${members}`, `kafka-share-${members}`];
  await fill(broker, load, topic, group);
  const topicId = topicIdOfName(topic);
  const connections = await Promise.all(Array.from({ length: members }, () => KafkaConnection.open(kafkaPort)));
  for (const [i, c] of connections.entries())
    await c.send(76, 1, { groupId: group, memberId: `m-${i}`, memberEpoch: 0, subscribedTopicNames: [topic] });
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    connections.map(async (c, i) => {
      let acks = new Map<number, { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }[]>();
      for (let epoch = 0; accepted < RECORDS; epoch++) {
        const partitions = [0, 1, 2, 3].map((p) => ({ partitionIndex: p, acknowledgementBatches: acks.get(p) ?? [] }));
        const answer = await c.send(78, 1, {
          groupId: group,
          memberId: `m-${i}`,
          shareSessionEpoch: epoch,
          maxWaitMs: 50,
          minBytes: 1,
          maxBytes: 1 << 24,
          maxRecords: BATCH,
          batchSize: BATCH,
          topics: [
            { topicId, partitions: epoch === 0 ? partitions : partitions.filter((p) => acks.has(p.partitionIndex)) },
          ],
          forgottenTopicsData: [],
        });
        const sent = acks;
        acks = new Map();
        for (const t of answer.responses as { partitions: Record<string, unknown>[] }[])
          for (const p of t.partitions) {
            const index = p.partitionIndex as number;
            // Accepts count once the broker confirms them (as over HTTP).
            if (p.acknowledgeErrorCode === 0)
              accepted += (sent.get(index) ?? []).reduce((n, r) => n + r.lastOffset - r.firstOffset + 1, 0);
            const ranges = p.acquiredRecords as { firstOffset: number; lastOffset: number }[];
            if (ranges.length > 0)
              acks.set(
                index,
                ranges.map((r) => ({ firstOffset: r.firstOffset, lastOffset: r.lastOffset, acknowledgeTypes: [1] })),
              );
          }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const c of connections) c.close();
  return RECORDS / seconds;
}

/** `npm run build && node dist/bench/kafka-share.bench.js`: share-group drain rates over HTTP and over KIP-932. */
async function main(): Promise<void> {
  const kafkaPort = await freePort();
  const broker = await startBenchBroker({ SHOAL_KAFKA_PORT: String(kafkaPort) });
  try {
    const rows: (string | number)[][] = [];
    for (const members of [1, 8]) {
      rows.push([`HTTP, ${members} member(s)`, fmt(await overHttp(broker, members))]);
      rows.push([`Kafka ShareFetch, ${members} member(s)`, fmt(await overKafka(broker, kafkaPort, members))]);
    }
    printTable(
      `share group drain, ${fmt(RECORDS)} records of 100 B on 4 partitions, fetches of ${BATCH}`,
      ['path', 'records/s'],
      rows,
    );
  } finally {
    await broker.stop();
  }
}

await main();
