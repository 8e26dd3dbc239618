import { type TestBroker, startBroker } from '../support/broker.js';
import { failure, rawRequest } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

describe.each(STORAGE_KINDS)('topic routes over HTTP on %s', (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage));
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('creates, lists, describes, grows, reconfigures and deletes a topic', async () => {
    const { client } = broker;
    const created = await rawRequest(
      `${broker.url}/v1/topics`,
      'POST',
      JSON.stringify({ name: 'orders.v1', partitions: 2, config: { retentionMs: 60_000 } }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name: 'orders.v1',
      config: { retentionMs: 60_000, retentionBytes: null },
      partitions: [
        { partition: 0, startOffset: 0, endOffset: 0 },
        { partition: 1, startOffset: 0, endOffset: 0 },
      ],
    });
    expect((await client.listTopics()).topics).toContainEqual({ name: 'orders.v1', partitions: 2 });
    expect((await client.describeTopic('orders.v1')).partitions).toHaveLength(2);
    const patched = await client.updateTopic('orders.v1', {
      partitions: 3,
      config: { retentionMs: null, retentionBytes: 1_000_000 },
    });
    expect(patched.config).toEqual({ retentionMs: null, retentionBytes: 1_000_000 });
    expect(patched.partitions).toHaveLength(3);
    const deleted = await rawRequest(`${broker.url}/v1/topics/orders.v1`, 'DELETE');
    expect(deleted.status).toBe(204);
    expect((await client.listTopics()).topics.map((t) => t.name)).not.toContain('orders.v1');
  });

  it.each([
    ['a name with a space', { name: 'a b', partitions: 1 }, 400, 'INVALID_NAME'],
    ['a name of 250 characters', { name: 'x'.repeat(250), partitions: 1 }, 400, 'INVALID_NAME'],
    ['a numeric name', { name: 5, partitions: 1 }, 400, 'INVALID_NAME'],
    ['0 partitions', { name: 'p0', partitions: 0 }, 400, 'INVALID_PARTITIONS'],
    ['10,001 partitions', { name: 'p0', partitions: 10_001 }, 400, 'INVALID_PARTITIONS'],
    ['fractional partitions', { name: 'p0', partitions: 1.5 }, 400, 'INVALID_PARTITIONS'],
    ['a negative retention', { name: 'p0', partitions: 1, config: { retentionMs: -5 } }, 400, 'INVALID_CONFIG'],
    ['a string retention', { name: 'p0', partitions: 1, config: { retentionBytes: '5' } }, 400, 'INVALID_CONFIG'],
    ['an unknown config field', { name: 'p0', partitions: 1, config: { compaction: true } }, 400, 'INVALID_CONFIG'],
    [
      'an idle expiry under 1 s',
      { name: 'p0', partitions: 1, config: { deleteAfterIdleMs: 999 } },
      400,
      'INVALID_CONFIG',
    ],
    ['an unknown field', { name: 'p0', partitions: 1, replicas: 3 }, 400, 'INVALID_REQUEST'],
  ])('refuses to create a topic with %s', async (_name, body, status, code) => {
    const answer = await rawRequest(`${broker.url}/v1/topics`, 'POST', JSON.stringify(body));
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(typeof answer.body.error.message).toBe('string');
    expect((await broker.client.listTopics()).topics.map((t) => t.name)).not.toContain('p0');
  });

  it('answers 409 TOPIC_ALREADY_EXISTS for a taken name', async () => {
    await broker.client.createTopic({ name: 'taken', partitions: 1 });
    expect(await failure(broker.client.createTopic({ name: 'taken', partitions: 4 }))).toEqual({
      status: 409,
      code: 'TOPIC_ALREADY_EXISTS',
    });
    expect((await broker.client.describeTopic('taken')).partitions).toHaveLength(1);
  });

  it('answers 400 INVALID_PARTITIONS for a shrink and changes nothing', async () => {
    await broker.client.createTopic({ name: 'no-shrink', partitions: 3, config: { retentionMs: 1000 } });
    expect(
      await failure(broker.client.updateTopic('no-shrink', { partitions: 2, config: { retentionMs: 5000 } })),
    ).toEqual({ status: 400, code: 'INVALID_PARTITIONS' });
    const topic = await broker.client.describeTopic('no-shrink');
    expect(topic.partitions).toHaveLength(3);
    expect(topic.config.retentionMs).toBe(1000);
  });

  it.each([
    ['10,001 partitions', 'bad-update-1', { partitions: 10_001 }, 'INVALID_PARTITIONS'],
    ['a zero retention', 'bad-update-2', { config: { retentionMs: 0 } }, 'INVALID_CONFIG'],
    ['a negative retention', 'bad-update-3', { config: { retentionBytes: -1 } }, 'INVALID_CONFIG'],
    ['an unknown config field', 'bad-update-4', { config: { other: 1 } }, 'INVALID_CONFIG'],
    ['a fractional idle expiry', 'bad-update-5', { config: { deleteAfterIdleMs: 1500.5 } }, 'INVALID_CONFIG'],
  ])('refuses to update a topic with %s and changes nothing', async (_name, topic, body, code) => {
    await broker.client.createTopic({ name: topic, partitions: 2, config: { retentionMs: 1000 } });
    const answer = await rawRequest(`${broker.url}/v1/topics/${topic}`, 'PATCH', JSON.stringify(body));
    expect([answer.status, answer.body.error.code]).toEqual([400, code]);
    expect(await broker.client.describeTopic(topic)).toMatchObject({
      config: { retentionMs: 1000, retentionBytes: null },
      partitions: [{}, {}],
    });
  });

  it('answers 404 UNKNOWN_TOPIC on every topic route for a topic that does not exist', async () => {
    const { client } = broker;
    for (const call of [
      () => client.describeTopic('ghost'),
      () => client.updateTopic('ghost', { partitions: 2 }),
      () => client.deleteTopic('ghost'),
      () => client.produce('ghost', [{ value: 1 }]),
      () => client.read('ghost', 0),
      () => client.offsetForTimestamp('ghost', 0, 0),
    ]) {
      expect(await failure(call())).toEqual({ status: 404, code: 'UNKNOWN_TOPIC' });
    }
  });

  it('answers 400 INVALID_NAME on every topic route for a bad name, before any lookup', async () => {
    const { client } = broker;
    for (const call of [
      () => client.describeTopic('bad$name'),
      () => client.updateTopic('bad$name', { partitions: 2 }),
      () => client.deleteTopic('bad$name'),
      () => client.produce('bad$name', []),
      () => client.read('bad$name', 0, { maxRecords: 0 }),
      () => client.offsetForTimestamp('bad$name', 0, 0),
    ]) {
      expect(await failure(call())).toEqual({ status: 400, code: 'INVALID_NAME' });
    }
  });

  it('serves GET /health with the database up', async () => {
    const health = await rawRequest(`${broker.url}/health`, 'GET');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.details.database).toMatchObject({ status: 'up', kind });
  });

  it('answers an unknown route with a 404 error body', async () => {
    const answer = await rawRequest(`${broker.url}/v1/nope`, 'GET');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('NOT_FOUND');
  });
});
