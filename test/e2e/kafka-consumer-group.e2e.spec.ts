import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { KafkaGroupService } from '../../src/kafka/groups/kafka-group.service.js';
import { type BrokerProcess, freePort, spawnBroker } from '../support/broker-process.js';
import { until } from '../support/until.js';

interface Received {
  consumer: string;
  partition: number;
  offset: number;
  key: string;
  value: string;
}

const GROUP = 'kjs-orders-group';
const TOPIC = 'kjs-orders';
const PARTITIONS = 6;

/** KafkaJS 2.2.4 consumer groups against the built broker in its own process (SQLite). */
describe(`${KafkaGroupService.name} with KafkaJS consumers`, () => {
  let dir: string;
  let broker: BrokerProcess;
  let kafkaPort: number;
  let httpPort: number;
  let kafka: Kafka;
  const received: Received[] = [];
  const consumers = new Map<string, Consumer>();

  async function start(): Promise<void> {
    broker = await spawnBroker(`sqlite:${join(dir, 'shoal.db')}`, httpPort, {
      SHOAL_KAFKA_PORT: String(kafkaPort),
      SHOAL_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '300',
    });
  }

  async function stop(): Promise<void> {
    const exited = new Promise((resolve) => broker.child.once('exit', resolve));
    broker.child.kill('SIGTERM');
    await exited;
    await broker.client.close();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-kafka-groups-'));
    kafkaPort = await freePort();
    httpPort = await freePort();
    await start();
    kafka = new Kafka({ clientId: 'kjs-groups', brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING });
  });
  afterAll(async () => {
    for (const consumer of consumers.values()) await consumer.disconnect().catch(() => undefined);
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function consumer(name: string): Promise<Consumer> {
    const c = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    await c.connect();
    await c.subscribe({ topic: TOPIC, fromBeginning: true });
    await c.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          consumer: name,
          partition,
          offset: Number(message.offset),
          key: message.key!.toString(),
          value: message.value!.toString(),
        });
      },
    });
    consumers.set(name, c);
    return c;
  }

  /** Keyed records, each key's values counting up, so order per key (and partition) can be checked. */
  async function produce(from: number, count: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    for (let at = from; at < from + count; at += 50) {
      const messages = Array.from({ length: Math.min(50, from + count - at) }, (_, i) => ({
        key: `key-${(at + i) % 24}`,
        value: String(at + i),
      }));
      await producer.send({ topic: TOPIC, messages });
    }
    await producer.disconnect();
  }

  const describeGroup = () => broker.client.describeConsumerGroup(GROUP);
  const caughtUp = async () => {
    const described = await describeGroup();
    return described.offsets.length === PARTITIONS && described.offsets.every((o) => o.lag === 0);
  };

  function expectOncePerGroupInOrder(total: number): void {
    const seen = new Set(received.map((r) => `${r.partition}:${r.offset}`));
    expect(seen.size).toBe(received.length); // nothing read twice
    expect(new Set(received.map((r) => r.value)).size).toBe(total); // nothing missed
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = received.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
    const byKey = new Map<string, number[]>();
    for (const r of received) byKey.set(r.key, [...(byKey.get(r.key) ?? []), Number(r.value)]);
    for (const values of byKey.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
  }

  it('splits the partitions among three consumers, rebalances when one leaves, reads every record once in order', async () => {
    await broker.client.createTopic({ name: TOPIC, partitions: PARTITIONS });
    await Promise.all(['a', 'b', 'c'].map((name) => consumer(name)));
    await until(async () => {
      const described = await describeGroup();
      return (
        described.state === 'stable' &&
        described.members.length === 3 &&
        described.members.every((m) => m.assignment.length === 2)
      );
    }, 30_000);
    const described = await describeGroup();
    expect(described.protocol).toBe('kafka');
    expect(described.members.flatMap((m) => m.assignment.map((a) => a.partition)).sort()).toEqual([0, 1, 2, 3, 4, 5]);

    await produce(0, 300);
    await until(() => received.length >= 300 && caughtUp(), 30_000);
    expect(new Set(received.map((r) => r.consumer))).toEqual(new Set(['a', 'b', 'c']));

    await consumers.get('c')!.disconnect(); // LeaveGroup: the other two take its partitions
    consumers.delete('c');
    await until(async () => {
      const now = await describeGroup();
      return now.state === 'stable' && now.members.length === 2 && now.members.every((m) => m.assignment.length === 3);
    }, 30_000);
    await produce(300, 300);
    await until(() => received.length >= 600 && caughtUp(), 30_000);
    expect(new Set(received.filter((r) => Number(r.value) >= 300).map((r) => r.consumer))).toEqual(new Set(['a', 'b']));
    expectOncePerGroupInOrder(600);

    const metrics = await (await fetch(`${broker.url}/metrics`)).text();
    expect(metrics).toContain(`shoal_consumer_group_protocol{group="${GROUP}",protocol="kafka"} 1`);
    expect(metrics).toContain(`shoal_group_members{group="${GROUP}",kind="consumer"} 2`);
  }, 120_000);

  it('resumes from the committed offsets after the broker restarts', async () => {
    for (const c of consumers.values()) await c.disconnect();
    consumers.clear();
    const admin = kafka.admin();
    await admin.connect();
    const before = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    await admin.disconnect();
    const committed = before[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(600);

    await stop();
    await start();
    await produce(600, 120);
    await consumer('d');
    await until(() => received.length >= 720 && caughtUp(), 30_000);
    expect(
      received
        .filter((r) => r.consumer === 'd')
        .map((r) => Number(r.value))
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 120 }, (_, i) => 600 + i));
    expectOncePerGroupInOrder(720);
  }, 120_000);
});
