import { ManualClock } from '../../src/platform/clock.js';
import { ShareAcknowledgeHandler } from '../../src/kafka/handlers/share-acknowledge.handler.js';
import { KafkaError } from '../../src/kafka/kafka-api.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaTestClient } from '../support/kafka-test-client.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

const METADATA = 3;
const HEARTBEAT = 76;
const SHARE_FETCH = 78;
const SHARE_ACK = 79;
const [ACCEPT, RELEASE] = [1, 2];

type Body = Record<string, unknown>;

/**
 * Kafka's rule for a partition's acknowledgement batches (SharePartition validates them all
 * before it applies any): one offset the member does not hold fails the partition with
 * INVALID_RECORD_STATE and nothing of that partition is applied — alone (ShareAcknowledge) and
 * riding on a ShareFetch. Other partitions of the request are answered on their own.
 */
describe.each(STORAGE_KINDS)(
  `${ShareAcknowledgeHandler.name}: a partition's acks whole or not at all, on %s`,
  (kind) => {
    let storage: TestStorage;
    let broker: TestBroker;
    let kafka: KafkaTestClient;
    beforeAll(async () => {
      storage = await createTestStorage(kind);
      broker = await startBroker(
        testConfig(storage.storage, { kafka: kafkaTestConfig() }),
        new ManualClock(Date.now()),
      );
      kafka = await KafkaTestClient.connect(kafkaPortOf(broker.app));
    });
    afterAll(async () => {
      kafka.close();
      await broker.close();
      await storage.dispose();
    });

    let n = 0;
    /** Two partitions with three records each, one member holding all six (session epoch 1 next). */
    async function holdingSix() {
      const topic = `whole-${++n}`;
      const group = `whole-group-${n}`;
      await broker.client.createTopic({ name: topic, partitions: 2 });
      await broker.client.produce(
        topic,
        [0, 1].flatMap((partition) => ['a', 'b', 'c'].map((value) => ({ value, partition }))),
      );
      await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest', recordLockDurationMs: 60_000 });
      const metadata = await kafka.send(METADATA, 12, { topics: [{ name: topic }], allowAutoTopicCreation: false });
      const topicId = (metadata.topics as { topicId: string }[])[0].topicId;
      await kafka.send(HEARTBEAT, 1, {
        groupId: group,
        memberId: 'member-a',
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: [topic],
      });
      const opened = await fetch(group, topicId, 0, {});
      const acquired = partitionsOf(opened).map((p) => p['acquiredRecords']);
      expect(acquired).toEqual([
        [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }],
        [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }],
      ]);
      return { topic, group, topicId };
    }

    const partitionsOf = (answer: Body) =>
      (answer['responses'] as { partitions: Body[] }[])
        .flatMap((r) => r.partitions)
        .sort((a, b) => Number(a['partitionIndex']) - Number(b['partitionIndex']));

    function fetch(group: string, topicId: string, epoch: number, acks: Record<number, Body[]>) {
      return kafka.send(SHARE_FETCH, 1, {
        groupId: group,
        memberId: 'member-a',
        shareSessionEpoch: epoch,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        maxRecords: 100,
        batchSize: 100,
        topics: [
          {
            topicId,
            partitions: [0, 1].map((partitionIndex) => ({
              partitionIndex,
              acknowledgementBatches: acks[partitionIndex] ?? [],
            })),
          },
        ],
        forgottenTopicsData: [],
      });
    }

    const held = async (group: string) =>
      (await broker.client.describeShareGroup(group)).partitions
        .sort((a, b) => a.partition - b.partition)
        .map((p) => [p.startOffset, p.acquired]);

    it('ShareAcknowledge: one offset not held fails its partition and applies none of its acks; the other partition applies', async () => {
      const { group, topicId } = await holdingSix();
      const answer = await kafka.send(SHARE_ACK, 1, {
        groupId: group,
        memberId: 'member-a',
        shareSessionEpoch: 1,
        topics: [
          {
            topicId,
            partitions: [
              {
                partitionIndex: 0,
                acknowledgementBatches: [
                  { firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] },
                  { firstOffset: 2, lastOffset: 3, acknowledgeTypes: [ACCEPT] }, // 3 is not the member's
                ],
              },
              {
                partitionIndex: 1,
                acknowledgementBatches: [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }],
              },
            ],
          },
        ],
      });
      expect(answer['errorCode']).toBe(KafkaError.NONE);
      expect(partitionsOf(answer).map((p) => p['errorCode'])).toEqual([
        KafkaError.INVALID_RECORD_STATE,
        KafkaError.NONE,
      ]);
      // Partition 0: nothing applied, all three still held; partition 1: 0–1 accepted.
      expect(await held(group)).toEqual([
        [0, 3],
        [2, 1],
      ]);
      // The same acks without the bad offset apply.
      const retried = await kafka.send(SHARE_ACK, 1, {
        groupId: group,
        memberId: 'member-a',
        shareSessionEpoch: 2,
        topics: [
          {
            topicId,
            partitions: [
              {
                partitionIndex: 0,
                acknowledgementBatches: [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [ACCEPT] }],
              },
            ],
          },
        ],
      });
      expect(partitionsOf(retried).map((p) => p['errorCode'])).toEqual([KafkaError.NONE]);
      expect(await held(group)).toEqual([
        [3, 0],
        [2, 1],
      ]);
    });

    it('ShareFetch with acks: a partition whose acks cannot all apply gets INVALID_RECORD_STATE and keeps its records held', async () => {
      const { group, topicId } = await holdingSix();
      const answer = await fetch(group, topicId, 1, {
        0: [
          { firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] },
          { firstOffset: 1, lastOffset: 1, acknowledgeTypes: [RELEASE] },
          { firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }, // already acked by the first batch
        ],
        1: [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [ACCEPT, RELEASE, ACCEPT] }],
      });
      expect(partitionsOf(answer).map((p) => p['acknowledgeErrorCode'])).toEqual([
        KafkaError.INVALID_RECORD_STATE,
        KafkaError.NONE,
      ]);
      // Partition 1's release made offset 1 available again: this fetch took it back (delivery 2).
      expect(partitionsOf(answer).map((p) => p['acquiredRecords'])).toEqual([
        [],
        [{ firstOffset: 1, lastOffset: 1, deliveryCount: 2 }],
      ]);
      expect(await held(group)).toEqual([
        [0, 3],
        [1, 1],
      ]);
    });
  },
);
