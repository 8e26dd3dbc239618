import { KafkaError } from '../../src/kafka/kafka-api.js';
import { decodeRecordBatches } from '../../src/kafka/protocol/record-batch.js';
import { topicIdOfName } from '../../src/kafka/share/name-hash-topic-ids.js';
import { type BrokerProcess, freePort, spawnBroker } from '../support/broker-process.js';
import { KafkaTestClient } from '../support/kafka-test-client.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

const [HEARTBEAT, SHARE_FETCH, SHARE_ACK] = [76, 78, 79];
// A ShareFetch nothing wakes answers at its maxWait at the earliest: an answer well before it
// can only come from the other broker's notification.
const MAX_WAIT_MS = 20_000;
const WOKEN_BEFORE_MS = 15_000;

/** Broker `url`'s `shoal_long_polls_waiting`: long polls asleep in that process, waiting for a change. */
async function longPollsWaiting(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found = /^shoal_long_polls_waiting (\d+)$/m.exec(text);
  if (!found) throw new Error('shoal_long_polls_waiting is missing from /metrics');
  return Number(found[1]);
}

/**
 * A share session keeps only its epoch and partitions, in the database: any broker on one
 * PostgreSQL answers its next request, and a ShareFetch waiting on one broker is woken by a
 * produce on another (the change signal's LISTEN/NOTIFY relay), as HTTP share fetches are.
 */
describe('KIP-932 share sessions across two broker processes on one PostgreSQL', () => {
  let storage: TestStorage;
  const brokers: BrokerProcess[] = [];
  const kafka: KafkaTestClient[] = [];
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    for (let i = 0; i < 2; i++) {
      const kafkaPort = await freePort();
      brokers.push(await spawnBroker(storage.storage.url, undefined, { SHOAL_KAFKA_PORT: String(kafkaPort) }));
      kafka.push(await KafkaTestClient.connect(kafkaPort));
    }
  });
  afterAll(async () => {
    for (const client of kafka) client.close();
    for (const broker of brokers) {
      const exited = new Promise((resolve) => broker.child.once('exit', resolve));
      broker.child.kill('SIGKILL');
      await exited;
      await broker.client.close();
    }
    await storage.dispose();
  });

  it('opens a session on one broker, continues it on the other, and a long poll is woken across them', async () => {
    const [a, b] = kafka;
    const topic = 'kshare-across';
    const group = 'kshare-across-workers';
    const topicId = topicIdOfName(topic);
    await brokers[0].client.createTopic({ name: topic, partitions: 1 });
    await brokers[0].client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest' });
    const join = await a.send(HEARTBEAT, 1, {
      groupId: group,
      memberId: 'm-1',
      memberEpoch: 0,
      subscribedTopicNames: [topic],
    });
    expect(join).toMatchObject({ errorCode: 0, memberEpoch: 1 });
    const fetch = (client: KafkaTestClient, epoch: number, maxWaitMs: number, acks: unknown[] = []) =>
      client.send(SHARE_FETCH, 1, {
        groupId: group,
        memberId: 'm-1',
        shareSessionEpoch: epoch,
        maxWaitMs,
        minBytes: 1,
        maxBytes: 1 << 20,
        maxRecords: 10,
        batchSize: 10,
        topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }] }],
        forgottenTopicsData: [],
      });
    expect(await fetch(b, 0, 0)).toMatchObject({ errorCode: 0, responses: [] });
    const started = Date.now();
    expect(await longPollsWaiting(brokers[0].url)).toBe(0);
    const waiting = fetch(a, 1, MAX_WAIT_MS);
    // The ShareFetch found nothing and sleeps on broker A; only then does broker B commit the record.
    await until(async () => (await longPollsWaiting(brokers[0].url)) === 1, 8_000);
    await brokers[1].client.produce(topic, [{ value: 'across', partition: 0 }]);
    const answer = await waiting;
    expect(Date.now() - started).toBeLessThan(WOKEN_BEFORE_MS);
    const partition = (answer.responses as { partitions: { records: Buffer; acquiredRecords: unknown[] }[] }[])[0]
      .partitions[0];
    expect(decodeRecordBatches(partition.records)[0].records.map((r) => JSON.parse(r.value!.toString()))).toEqual([
      'across',
    ]);
    expect(partition.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 0, deliveryCount: 1 }]);
    // Epoch 2 on broker B (epoch 1 again is refused there too), then the member's heartbeat on B.
    expect((await fetch(b, 1, 0)).errorCode).toBe(KafkaError.INVALID_SHARE_SESSION_EPOCH);
    const acked = await b.send(SHARE_ACK, 1, {
      groupId: group,
      memberId: 'm-1',
      shareSessionEpoch: 2,
      topics: [
        {
          topicId,
          partitions: [
            { partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [1] }] },
          ],
        },
      ],
    });
    expect(acked).toMatchObject({
      errorCode: 0,
      responses: [{ topicId, partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
    });
    expect(await b.send(HEARTBEAT, 1, { groupId: group, memberId: 'm-1', memberEpoch: 1 })).toMatchObject({
      errorCode: 0,
      memberEpoch: 1,
    });
    expect((await brokers[0].client.describeShareGroup(group)).partitions[0]).toMatchObject({
      startOffset: 1,
      acquired: 0,
    });
  });
});
