import { KafkaError } from '../../src/kafka/kafka-api.js';
import { topicIdOfName } from '../../src/kafka/share/name-hash-topic-ids.js';
import { ShareAccess } from '../../src/kafka/share/share-access.js';
import { call } from '../support/auth-http.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { KafkaTestClient } from '../support/kafka-test-client.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

const ADMIN = 'admin-key-for-the-kafka-share-acl-tests';
const [HEARTBEAT, DESCRIBE, SHARE_FETCH, SHARE_ACK] = [76, 77, 78, 79];

/** With API keys on, the share RPCs need what the HTTP share-group routes need, and a member is its joiner's. */
describe(`${ShareAccess.name}: KIP-932 RPCs under SASL/PLAIN and ACLs`, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  const clients: KafkaTestClient[] = [];

  async function as(principal: string, acls: object[]): Promise<KafkaTestClient> {
    const created = await call(broker.url, 'POST', '/v1/api-keys', ADMIN, { principal });
    for (const acl of acls) await call(broker.url, 'POST', '/v1/acls', ADMIN, { principal, ...acl });
    const client = await KafkaTestClient.connect(kafkaPortOf(broker.app));
    await client.authenticate(principal, created.body.key as string);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    const security = {
      adminApiKey: ADMIN,
      metricsPublic: false,
      allowAnonymous: false,
      maxResponseBytes: 16 << 20,
      maxTopics: 100,
      maxPartitions: 1000,
      maxGroups: 100,
    };
    broker = await startBroker(testConfig(storage.storage, { security, kafka: kafkaTestConfig() }));
    await call(broker.url, 'POST', '/v1/topics', ADMIN, { name: 'acl-jobs', partitions: 1 });
    await call(broker.url, 'POST', '/v1/topics', ADMIN, { name: 'acl-secret', partitions: 1 });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await broker.close();
    await storage.dispose();
  });

  const consume = { resourceType: 'group', resourceName: 'acl-workers', operation: 'consume' };
  const readJobs = { resourceType: 'topic', resourceName: 'acl-jobs', operation: 'read' };
  const join = (client: KafkaTestClient, memberId: string, topic: string) =>
    client.send(HEARTBEAT, 1, { groupId: 'acl-workers', memberId, memberEpoch: 0, subscribedTopicNames: [topic] });
  const fetch = (client: KafkaTestClient, memberId: string, epoch: number) =>
    client.send(SHARE_FETCH, 1, {
      groupId: 'acl-workers',
      memberId,
      shareSessionEpoch: epoch,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      maxRecords: 10,
      batchSize: 10,
      topics: [{ topicId: topicIdOfName('acl-jobs'), partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }],
      forgottenTopicsData: [],
    });

  it('needs consume on the group for every share RPC, and read on each topic joined', async () => {
    const nobody = await as('acl-nobody', []);
    expect((await join(nobody, 'n-1', 'acl-jobs')).errorCode).toBe(KafkaError.GROUP_AUTHORIZATION_FAILED);
    expect((await fetch(nobody, 'n-1', 0)).errorCode).toBe(KafkaError.GROUP_AUTHORIZATION_FAILED);
    const ack = await nobody.send(SHARE_ACK, 1, {
      groupId: 'acl-workers',
      memberId: 'n-1',
      shareSessionEpoch: 1,
      topics: [],
    });
    expect(ack.errorCode).toBe(KafkaError.GROUP_AUTHORIZATION_FAILED);
    const described = await nobody.send(DESCRIBE, 1, { groupIds: ['acl-workers'], includeAuthorizedOperations: false });
    expect((described.groups as { errorCode: number }[])[0].errorCode).toBe(KafkaError.GROUP_AUTHORIZATION_FAILED);

    const worker = await as('acl-worker', [consume, readJobs]);
    expect((await join(worker, 'w-1', 'acl-secret')).errorCode).toBe(KafkaError.TOPIC_AUTHORIZATION_FAILED);
    expect(await join(worker, 'w-1', 'acl-jobs')).toMatchObject({ errorCode: 0, memberEpoch: 1 });
    expect((await fetch(worker, 'w-1', 0)).errorCode).toBe(0);
  });

  it('lets only the principal that joined act as the member (heartbeat, join again, fetch)', async () => {
    const owner = await as('acl-owner', [consume, readJobs]);
    const other = await as('acl-other', [consume, readJobs]);
    expect((await join(owner, 'o-1', 'acl-jobs')).errorCode).toBe(0);
    const hijack = await other.send(HEARTBEAT, 1, { groupId: 'acl-workers', memberId: 'o-1', memberEpoch: 1 });
    expect(hijack.errorCode).toBe(KafkaError.GROUP_AUTHORIZATION_FAILED);
    expect((await join(other, 'o-1', 'acl-jobs')).errorCode).toBe(KafkaError.GROUP_AUTHORIZATION_FAILED);
    expect((await fetch(owner, 'o-1', 0)).errorCode).toBe(0);
    expect((await fetch(other, 'o-1', 1)).errorCode).toBe(KafkaError.GROUP_AUTHORIZATION_FAILED);
    expect((await fetch(owner, 'o-1', 1)).errorCode).toBe(0);
  });
});
