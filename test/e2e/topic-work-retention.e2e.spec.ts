import { type TestBroker, startBroker } from '../support/broker.js';
import { rawRequest } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

/** Issue 27: the topic settings of retention that respects work, over HTTP, on both databases. */
describe.each(STORAGE_KINDS)('topic work-retention settings over HTTP on %s', (kind) => {
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
  const call = (method: string, path: string, body?: unknown) =>
    rawRequest(`${broker.url}${path}`, method, body === undefined ? undefined : JSON.stringify(body));

  it('takes, shows, merges and clears retentionRespectsShareGroups, completedMaxAgeMs and completedMaxCount', async () => {
    const created = await call('POST', '/v1/topics', {
      name: 'wr-jobs',
      partitions: 1,
      config: { retentionMs: 60_000, completedMaxAgeMs: 0, completedMaxCount: 1_000 },
    });
    expect(created.status).toBe(201);
    expect(created.body.config).toEqual({
      retentionMs: 60_000,
      retentionBytes: null,
      completedMaxAgeMs: 0,
      completedMaxCount: 1_000,
    });
    const patched = await call('PATCH', '/v1/topics/wr-jobs', {
      config: { retentionRespectsShareGroups: false, completedMaxCount: null },
    });
    expect(patched.body.config).toEqual({
      retentionMs: 60_000,
      retentionBytes: null,
      retentionRespectsShareGroups: false,
      completedMaxAgeMs: 0,
    });
    await call('PATCH', '/v1/topics/wr-jobs', { config: { retentionRespectsShareGroups: true } });
    expect((await broker.client.describeTopic('wr-jobs')).config).toEqual({
      retentionMs: 60_000,
      retentionBytes: null,
      retentionRespectsShareGroups: true,
      completedMaxAgeMs: 0,
    });
  });

  it.each([
    { retentionRespectsShareGroups: 'yes' },
    { retentionRespectsShareGroups: 1 },
    { completedMaxAgeMs: -1 },
    { completedMaxAgeMs: 1.5 },
    { completedMaxCount: '5' },
    { completedMaxCount: 2 ** 53 },
  ])('refuses %j with 400 INVALID_CONFIG and changes nothing', async (config) => {
    const name = `wr-bad-${Object.keys(config)[0]}-${String(Object.values(config)[0]).replace(/[^a-z0-9]/gi, '')}`;
    expect((await call('POST', '/v1/topics', { name, partitions: 1, config })).body.error.code).toBe('INVALID_CONFIG');
    await broker.client.createTopic({ name, partitions: 1 });
    const answer = await call('PATCH', `/v1/topics/${name}`, { config });
    expect([answer.status, answer.body.error.code]).toEqual([400, 'INVALID_CONFIG']);
    expect((await broker.client.describeTopic(name)).config).toEqual({ retentionMs: null, retentionBytes: null });
  });
});
