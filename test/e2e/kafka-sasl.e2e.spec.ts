import { Kafka, logLevel } from 'kafkajs';
import { SaslAuthenticateHandler } from '../../src/kafka/handlers/sasl-authenticate.handler.js';
import { call } from '../support/auth-http.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { kafkaPortOf, kafkaTestConfig } from '../support/kafka.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

const ADMIN = 'admin-key-for-the-kafka-sasl-tests';

describe.each(STORAGE_KINDS)(`${SaslAuthenticateHandler.name} (SASL/PLAIN and ACLs) on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  let port: number;

  /** Without retries (an idempotent producer needs some: `retries`). */
  const client = (username: string, password: string, retries = 0) =>
    new Kafka({
      brokers: [`127.0.0.1:${port}`],
      sasl: { mechanism: 'plain', username, password },
      logLevel: logLevel.NOTHING,
      retry: { retries, initialRetryTime: 50 },
    });

  async function keyFor(principal: string, acls: object[]): Promise<string> {
    const created = await call(broker.url, 'POST', '/v1/api-keys', ADMIN, { principal });
    for (const acl of acls) await call(broker.url, 'POST', '/v1/acls', ADMIN, { principal, ...acl });
    return created.body.key as string;
  }

  beforeAll(async () => {
    storage = await createTestStorage(kind);
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
    port = kafkaPortOf(broker.app);
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('lets the admin key in as principal admin, allowed everything', async () => {
    const admin = client('admin', ADMIN).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'sasl-admin', numPartitions: 1 }] });
    expect(await admin.listTopics()).toContain('sasl-admin');
    await admin.disconnect();
  });

  it('refuses a wrong key, a key of another principal, and requests before authenticating', async () => {
    const key = await keyFor('sasl-someone', []);
    await expect(client('admin', 'wrong-key-wrong-key').admin().connect()).rejects.toThrow(/SASL|auth/i);
    await expect(client('sasl-other', key).admin().connect()).rejects.toThrow(/SASL|auth/i);
    const wire = await KafkaWireClient.connect(port);
    expect((await wire.request(18, 0, {}))['errorCode']).toBe(0); // ApiVersions is always allowed
    await expect(wire.request(3, 1, { topics: null })).rejects.toThrow(/closed/);
  });

  it('checks ACLs as the HTTP guard does: produce needs produce, create needs admin, read needs read', async () => {
    await call(broker.url, 'POST', '/v1/topics', ADMIN, { name: 'sasl-acl', partitions: 1 });
    const key = await keyFor('sasl-producer', [
      { resourceType: 'topic', resourceName: 'sasl-acl', operation: 'produce' },
    ]);
    const kafka = client('sasl-producer', key);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'sasl-acl', messages: [{ value: 'allowed' }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const creation = (await admin
      .createTopics({ topics: [{ topic: 'sasl-denied', numPartitions: 1 }] })
      .catch((error: unknown) => error)) as { errors: Array<{ type: string }> };
    expect(creation.errors[0]!.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    await expect(admin.fetchTopicOffsets('sasl-acl')).rejects.toThrow(/authoriz/i);
    // A principal sees in Metadata only the topics it may do something with.
    expect(await admin.listTopics()).not.toContain('sasl-admin');
    await admin.disconnect();
    const read = await call(broker.url, 'GET', '/v1/topics/sasl-acl/partitions/0/records?offset=0', ADMIN);
    expect(read.body.records).toHaveLength(1);
  });

  it('gives a transactional id to the principal that first initialised it, and checks produce on each partition added', async () => {
    await call(broker.url, 'POST', '/v1/topics', ADMIN, { name: 'sasl-txn', partitions: 1 });
    const acl = { resourceType: 'topic', resourceName: 'sasl-txn', operation: 'produce' };
    const owner = client('sasl-txn-owner', await keyFor('sasl-txn-owner', [acl]), 1).producer({
      transactionalId: 'sasl-txn-id',
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await owner.connect();
    const transaction = await owner.transaction();
    await transaction.send({ topic: 'sasl-txn', messages: [{ value: 'owned' }] });
    await transaction.commit();
    const other = client('sasl-txn-other', await keyFor('sasl-txn-other', [acl]), 1).producer({
      transactionalId: 'sasl-txn-id',
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await other.connect();
    await expect(other.transaction()).rejects.toThrow(/Transactional Id authorization failed/);
    const unallowed = client(
      'sasl-txn-reader',
      await keyFor('sasl-txn-reader', [{ ...acl, operation: 'read' }]),
      1,
    ).producer({
      transactionalId: 'sasl-txn-reader-id',
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await unallowed.connect();
    const refused = await unallowed.transaction();
    await expect(refused.send({ topic: 'sasl-txn', messages: [{ value: 'no' }] })).rejects.toThrow(/authoriz/i);
    await Promise.all([owner, other, unallowed].map((p) => p.disconnect()));
    const read = await call(broker.url, 'GET', '/v1/topics/sasl-txn/partitions/0/records?offset=0', ADMIN);
    expect(read.body.records).toHaveLength(1);
  });
});
