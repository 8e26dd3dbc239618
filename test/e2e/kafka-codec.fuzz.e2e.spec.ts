import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaConnection } from '../../src/kafka/kafka.connection.js';
import { encodeRequest } from '../../src/kafka/protocol/kafka-codec.js';
import { encodeRecordBatch } from '../../src/kafka/protocol/record-batch.js';
import { API_SCHEMAS } from '../../src/kafka/protocol/schemas/index.js';
import { type BrokerProcess, freePort, spawnBroker } from '../support/broker-process.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { seededRandom } from '../support/seeded-random.js';

/** Fixed so a failure can be replayed. */
const SEED = 20_261_202;
const ROUNDS = 1_500;

/** Writes bytes on a fresh connection and closes it after a moment, whatever the broker does. */
async function throwAt(port: number, bytes: Buffer): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  socket.write(bytes);
  await new Promise((resolve) => setTimeout(resolve, 2));
  socket.destroy();
}

describe(`${KafkaConnection.name} fuzzed`, () => {
  let dir: string;
  let broker: BrokerProcess;
  let port: number;
  const random = seededRandom(SEED);

  const batch = encodeRecordBatch({
    baseOffset: 0,
    records: [
      { timestamp: 1, key: Buffer.from('k'), value: Buffer.from('{"v":1}'), headers: [{ key: 'h', value: null }] },
    ],
  });
  const topic = { name: 'fz', partitions: [{ partitionIndex: 0, records: batch }] };
  /** Requests with content, for the mutations to reach the handlers' own checks. */
  const RICH: Array<[number, number, Record<string, unknown>]> = [
    [19, 3, { topics: [{ name: 'fz', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }] }],
    [0, 7, { acks: -1, timeoutMs: 100, topics: [topic] }],
    [0, 3, { acks: 0, timeoutMs: 100, topics: [topic] }],
    [
      1,
      11,
      {
        maxWait: 10,
        minBytes: 1,
        maxBytes: 1000,
        topics: [{ name: 'fz', fetchPartitions: [{ partitionIndex: 0, fetchOffset: 0, maxBytes: 1000 }] }],
      },
    ],
    [2, 5, { replicaId: -1, topics: [{ name: 'fz', partitions: [{ partitionIndex: 0, timestamp: -2 }] }] }],
    [3, 9, { topics: [{ name: 'fz' }] }],
    [37, 1, { topics: [{ name: 'fz', count: 3, assignments: null }], timeoutMs: 100 }],
    [17, 1, { mechanism: 'PLAIN' }],
  ];

  /** A request of a random API at a random version: rich, or encoded from an empty body (defaults). */
  function validFrame(): Buffer {
    if (random.int(2) === 0) {
      const [apiKey, version, body] = random.pick(RICH);
      return encodeRequest(
        { requestApiKey: apiKey, requestApiVersion: version, correlationId: 1, clientId: 'fuzz' },
        body,
      );
    }
    const [apiKey, { request }] = random.pick([...API_SCHEMAS.entries()]);
    const [min, max] = request.validVersions.split('-').map(Number) as [number, number?];
    const version = min + random.int((max ?? min) - min + 1);
    return encodeRequest(
      { requestApiKey: apiKey, requestApiVersion: version, correlationId: random.int(1000), clientId: 'fuzz' },
      {},
    );
  }

  function randomBytes(length: number): Buffer {
    return Buffer.from(Array.from({ length }, () => random.int(256)));
  }

  function mutant(): Buffer {
    const frame = Buffer.from(validFrame());
    switch (random.int(4)) {
      case 0: // cut anywhere, size left as it was: the broker waits for the rest, then the socket closes
        return frame.subarray(0, random.int(frame.length));
      case 1: {
        // cut, with the size saying so: a truncated body
        const cut = Buffer.from(frame.subarray(0, 4 + random.int(frame.length - 4)));
        cut.writeInt32BE(cut.length - 4, 0);
        return cut;
      }
      case 2: // flipped bytes past the size
        for (let i = 0; i < 1 + random.int(4); i++) frame[4 + random.int(frame.length - 4)] = random.int(256);
        return frame;
      default: {
        // a valid size with random contents
        const body = randomBytes(random.int(200));
        const sized = Buffer.alloc(4 + body.length);
        sized.writeInt32BE(body.length, 0);
        body.copy(sized, 4);
        return Buffer.concat([sized, random.int(2) ? randomBytes(random.int(50)) : Buffer.alloc(0)]);
      }
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-kafka-fuzz-'));
    port = await freePort();
    broker = await spawnBroker(`sqlite:${join(dir, 'shoal.db')}`, undefined, {
      SHOAL_KAFKA_PORT: String(port),
      SHOAL_KAFKA_MAX_FRAME_BYTES: String(64 * 1024),
    });
  });
  afterAll(async () => {
    broker.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives random, truncated and mutated frames and keeps answering', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const bytes = random.int(5) === 0 ? randomBytes(1 + random.int(300)) : mutant();
      await throwAt(port, bytes);
      if (round % 100 === 99) {
        expect(broker.child.exitCode).toBeNull();
        const client = await KafkaWireClient.connect(port);
        expect(
          (await client.request(18, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }))['errorCode'],
        ).toBe(0);
        expect((await client.request(3, 9, { topics: null }))['brokers']).toHaveLength(1);
        client.close();
      }
    }
    await broker.client.health();
    expect(broker.child.exitCode).toBeNull();
  });
});
