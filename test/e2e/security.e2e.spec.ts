import { readFileSync } from 'node:fs';
import { AuthGuard } from '../../src/security/http/auth.guard.js';
import { Database } from '../../src/storage/database.js';
import { call } from '../support/auth-http.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

const ADMIN = 'admin-key-for-the-security-tests';

/** One request of every route family, none of which may pass without a key. */
const FAMILIES: [string, string, unknown?][] = [
  ['GET', '/v1/topics'],
  ['POST', '/v1/topics', { name: 'fam', partitions: 1 }],
  ['GET', '/v1/topics/fam'],
  ['PATCH', '/v1/topics/fam', { partitions: 2 }],
  ['DELETE', '/v1/topics/fam'],
  ['POST', '/v1/topics/fam/records', { records: [{ value: 1 }] }],
  ['GET', '/v1/topics/fam/partitions/0/records'],
  ['GET', '/v1/topics/fam/partitions/0/offsets?timestamp=0'],
  ['POST', '/v1/consumer-groups/fam/members', { topics: ['fam'] }],
  ['POST', '/v1/consumer-groups/fam/members/m/heartbeat', {}],
  ['POST', '/v1/consumer-groups/fam/members/m/fetch', {}],
  ['DELETE', '/v1/consumer-groups/fam/members/m'],
  ['POST', '/v1/consumer-groups/fam/offsets', { memberId: 'm', generation: 1, offsets: [] }],
  ['POST', '/v1/consumer-groups/fam/offsets/reset', { topic: 'fam', to: 'earliest' }],
  ['GET', '/v1/consumer-groups/fam'],
  ['DELETE', '/v1/consumer-groups/fam'],
  ['POST', '/v1/share-groups/fam/members', { topics: ['fam'] }],
  ['POST', '/v1/share-groups/fam/members/m/heartbeat', {}],
  ['POST', '/v1/share-groups/fam/members/m/fetch', {}],
  ['POST', '/v1/share-groups/fam/members/m/acks', { acks: [] }],
  ['DELETE', '/v1/share-groups/fam/members/m'],
  ['GET', '/v1/share-groups/fam'],
  ['PATCH', '/v1/share-groups/fam/config', { deliveryCountLimit: 3 }],
  ['POST', '/v1/share-groups/fam/offsets/reset', { topic: 'fam', to: 'earliest' }],
  ['DELETE', '/v1/share-groups/fam'],
  ['GET', '/metrics'],
  ['POST', '/v1/api-keys', { principal: 'x' }],
  ['GET', '/v1/api-keys'],
  ['DELETE', '/v1/api-keys/abc'],
  ['POST', '/v1/acls', { principal: 'x', resourceType: 'topic', resourceName: 'a', operation: 'read' }],
  ['GET', '/v1/acls'],
  ['DELETE', '/v1/acls/1'],
];

describe.each(STORAGE_KINDS)(`${AuthGuard.name} on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  let url: string;

  async function keyFor(principal: string, acls: object[]): Promise<string> {
    const created = await call(url, 'POST', '/v1/api-keys', ADMIN, { principal });
    expect(created.status).toBe(201);
    for (const acl of acls)
      expect((await call(url, 'POST', '/v1/acls', ADMIN, { principal, ...acl })).status).toBe(201);
    return created.body.key as string;
  }

  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage, { security: { ...defaults(), adminApiKey: ADMIN } }));
    url = broker.url;
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('answers 401 UNAUTHENTICATED on every route family without a key or with a wrong one; /health stays open', async () => {
    for (const [method, path, body] of FAMILIES) {
      for (const key of [undefined, 'wrong', `shoal_0123456789abcdef_${'x'.repeat(43)}`]) {
        const answer = await call(url, method, path, key, body);
        expect({ method, path, key, status: answer.status, code: answer.body?.error?.code }).toEqual({
          method,
          path,
          key,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      }
    }
    expect((await call(url, 'GET', '/health')).status).toBe(200);
  });

  it('answers 403 FORBIDDEN on every route family to a key without ACLs', async () => {
    const key = await keyFor('nobody', []);
    for (const [method, path, body] of FAMILIES) {
      if (method === 'GET' && path === '/v1/topics') continue; // listing needs a key only
      const answer = await call(url, method, path, key, body);
      expect({ method, path, status: answer.status, code: answer.body?.error?.code }).toEqual({
        method,
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
    }
  });

  it('applies prefix and literal ACLs per operation', async () => {
    await call(url, 'POST', '/v1/topics', ADMIN, { name: 'pay-orders', partitions: 1 });
    await call(url, 'POST', '/v1/topics', ADMIN, { name: 'hr-salaries', partitions: 1 });
    const key = await keyFor('payments', [
      { resourceType: 'topic', patternType: 'prefix', resourceName: 'pay-', operation: 'produce' },
      { resourceType: 'topic', resourceName: 'pay-orders', operation: 'read' },
    ]);
    const produce = (topic: string) =>
      call(url, 'POST', `/v1/topics/${topic}/records`, key, { records: [{ value: 1 }] });
    expect((await produce('pay-orders')).status).toBe(200);
    expect((await produce('pay-unknown')).status).toBe(404); // allowed, and then it does not exist
    expect((await produce('hr-salaries')).body.error.code).toBe('FORBIDDEN');
    expect((await call(url, 'GET', '/v1/topics/pay-orders/partitions/0/records', key)).status).toBe(200);
    expect((await call(url, 'GET', '/v1/topics/hr-salaries/partitions/0/records', key)).status).toBe(403);
    expect((await call(url, 'DELETE', '/v1/topics/pay-orders', key)).status).toBe(403); // produce is not admin
  });

  it('stops a revoked key at once, and stores only a hash of it', async () => {
    const created = await call(url, 'POST', '/v1/api-keys', ADMIN, { principal: 'temp', description: 'ci' });
    const { key, id } = created.body as { key: string; id: string };
    expect((await call(url, 'GET', '/v1/topics', key)).status).toBe(200);
    const listed = await call(url, 'GET', '/v1/api-keys', ADMIN);
    expect(listed.body.apiKeys).toContainEqual(expect.objectContaining({ id, principal: 'temp', revokedAt: null }));
    expect(JSON.stringify(listed.body)).not.toContain(key.split('_').slice(2).join('_'));
    const stored = await broker.app
      .get(Database)
      .run((sql) => sql.rows<Record<string, unknown>>('SELECT * FROM shoal_api_key WHERE key_id = $1', [id]));
    expect(JSON.stringify(stored)).not.toContain(key.split('_').slice(2).join('_'));
    if (kind === 'sqlite')
      expect(readFileSync(storage.storage.path).includes(key.split('_').slice(2).join('_'))).toBe(false);
    expect((await call(url, 'DELETE', `/v1/api-keys/${id}`, ADMIN)).status).toBe(204);
    expect((await call(url, 'GET', '/v1/topics', key)).status).toBe(401);
    expect((await call(url, 'DELETE', `/v1/api-keys/${id}`, ADMIN)).status).toBe(404);
  });

  it('needs consume on the group and read on its topics to join', async () => {
    await call(url, 'POST', '/v1/topics', ADMIN, { name: 'join-t', partitions: 1 });
    const groupOnly = await keyFor('group-only', [
      { resourceType: 'group', resourceName: 'join-g', operation: 'consume' },
    ]);
    const join = (key: string) => call(url, 'POST', '/v1/share-groups/join-g/members', key, { topics: ['join-t'] });
    expect((await join(groupOnly)).body.error.code).toBe('FORBIDDEN');
    const both = await keyFor('group-and-topic', [
      { resourceType: 'group', resourceName: 'join-g', operation: 'consume' },
      { resourceType: 'topic', resourceName: 'join-t', operation: 'read' },
    ]);
    expect((await join(both)).status).toBe(201);
  });

  it('refuses member routes to any principal but the one that joined the member', async () => {
    await call(url, 'POST', '/v1/topics', ADMIN, { name: 'own-t', partitions: 1 });
    await call(url, 'POST', '/v1/topics/own-t/records', ADMIN, { records: [{ value: 'job' }] });
    const acls = [
      { resourceType: 'group', patternType: 'prefix', resourceName: 'own-', operation: 'consume' },
      { resourceType: 'topic', resourceName: 'own-t', operation: 'read' },
    ];
    const alice = await keyFor('alice', acls);
    const mallory = await keyFor('mallory', acls);
    await call(url, 'PATCH', '/v1/share-groups/own-s/config', ADMIN, { autoOffsetReset: 'earliest' });
    const share = (await call(url, 'POST', '/v1/share-groups/own-s/members', alice, { topics: ['own-t'] })).body;
    const consumer = (await call(url, 'POST', '/v1/consumer-groups/own-c/members', alice, { topics: ['own-t'] })).body;
    const attempts: [string, string, unknown?][] = [
      ['POST', `/v1/share-groups/own-s/members/${share.memberId}/heartbeat`, {}],
      ['POST', `/v1/share-groups/own-s/members/${share.memberId}/fetch`, {}],
      ['POST', `/v1/share-groups/own-s/members/${share.memberId}/acks`, { acks: [] }],
      ['DELETE', `/v1/share-groups/own-s/members/${share.memberId}`],
      ['POST', `/v1/consumer-groups/own-c/members/${consumer.memberId}/heartbeat`, {}],
      ['POST', `/v1/consumer-groups/own-c/members/${consumer.memberId}/fetch`, {}],
      [
        'POST',
        '/v1/consumer-groups/own-c/offsets',
        {
          memberId: consumer.memberId,
          generation: consumer.generation,
          offsets: [{ topic: 'own-t', partition: 0, offset: 0 }],
        },
      ],
      ['DELETE', `/v1/consumer-groups/own-c/members/${consumer.memberId}`],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await call(url, method, path, mallory, body);
      expect({ path, status: answer.status, code: answer.body?.error?.code }).toEqual({
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
    }
    for (const [method, path, body] of attempts)
      expect((await call(url, method, path, alice, body)).status).toBeLessThan(300);
  });

  it('needs produce on every topic an ack or a commit produces to (issue 26)', async () => {
    await call(url, 'POST', '/v1/topics', ADMIN, { name: 'chain-in', partitions: 1 });
    await call(url, 'POST', '/v1/topics', ADMIN, { name: 'chain-out', partitions: 1 });
    await call(url, 'POST', '/v1/topics/chain-in/records', ADMIN, { records: [{ value: 'job' }] });
    await call(url, 'PATCH', '/v1/share-groups/chain-s/config', ADMIN, { autoOffsetReset: 'earliest' });
    const consume = [
      { resourceType: 'group', patternType: 'prefix', resourceName: 'chain-', operation: 'consume' },
      { resourceType: 'topic', resourceName: 'chain-in', operation: 'read' },
    ];
    const reader = await keyFor('chain-reader', consume);
    const chainer = await keyFor('chain-writer', [
      ...consume,
      { resourceType: 'topic', resourceName: 'chain-out', operation: 'produce' },
    ]);
    for (const [key, status] of [
      [reader, 403],
      [chainer, 200],
    ] as const) {
      const { memberId } = (await call(url, 'POST', '/v1/share-groups/chain-s/members', key, { topics: ['chain-in'] }))
        .body;
      const fetched = await call(url, 'POST', `/v1/share-groups/chain-s/members/${memberId}/fetch`, key, {});
      const offset = fetched.body.records[0]?.offset ?? 0;
      const produce = [{ topic: 'chain-out', records: [{ value: 'next' }] }];
      const acked = await call(url, 'POST', `/v1/share-groups/chain-s/members/${memberId}/acks`, key, {
        acks: [{ topic: 'chain-in', partition: 0, offset, type: 'accept', produce }],
      });
      expect([acked.status, acked.body.error?.code]).toEqual([status, status === 403 ? 'FORBIDDEN' : undefined]);
      await call(url, 'DELETE', `/v1/share-groups/chain-s/members/${memberId}`, key);
      const consumer = (await call(url, 'POST', '/v1/consumer-groups/chain-c/members', key, { topics: ['chain-in'] }))
        .body;
      const committed = await call(url, 'POST', '/v1/consumer-groups/chain-c/offsets', key, {
        memberId: consumer.memberId,
        generation: consumer.generation,
        offsets: [{ topic: 'chain-in', partition: 0, offset: 0 }],
        produce,
      });
      expect(committed.status).toBe(status);
      await call(url, 'DELETE', `/v1/consumer-groups/chain-c/members/${consumer.memberId}`, key);
    }
    const out = await call(url, 'GET', '/v1/topics/chain-out/partitions/0/records', ADMIN);
    expect(out.body.records.map((r: { value: unknown }) => r.value)).toEqual(['next', 'next']);
  });

  it('opens /metrics to a key with read on the cluster', async () => {
    const key = await keyFor('prometheus', [{ resourceType: 'cluster', resourceName: 'shoal', operation: 'read' }]);
    expect((await call(url, 'GET', '/metrics', key)).status).toBe(200);
    expect((await call(url, 'GET', '/v1/topics/pay-orders', key)).status).toBe(403);
  });
});

describe('Member ids without API keys', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage));
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('describe never shows what it takes to act as a member', async () => {
    const { url } = broker;
    await call(url, 'POST', '/v1/topics', undefined, { name: 'victim-t', partitions: 1 });
    for (const kind of ['share-groups', 'consumer-groups']) {
      const joined = (await call(url, 'POST', `/v1/${kind}/victim/members`, undefined, { topics: ['victim-t'] })).body;
      const shown = (await call(url, 'GET', `/v1/${kind}/victim`)).body.members[0].memberId as string;
      expect(joined.memberId.startsWith(`${shown}.`)).toBe(true);
      const taken = await call(url, 'POST', `/v1/${kind}/victim/members/${shown}/heartbeat`, undefined, {});
      expect({ kind, status: taken.status, code: taken.body.error.code }).toEqual({
        kind,
        status: 404,
        code: 'UNKNOWN_MEMBER',
      });
      const removed = await call(url, 'DELETE', `/v1/${kind}/victim/members/${shown}`);
      expect(removed.status).toBe(404);
      expect(
        (await call(url, 'POST', `/v1/${kind}/victim/members/${joined.memberId}/heartbeat`, undefined, {})).status,
      ).toBe(200);
    }
  });

  it('needs no key while no key exists, and asks for one as soon as one does', async () => {
    const { url } = broker;
    expect((await call(url, 'GET', '/v1/topics')).status).toBe(200);
    expect((await call(url, 'GET', '/metrics')).status).toBe(200);
    const created = await call(url, 'POST', '/v1/api-keys', undefined, { principal: 'first' });
    expect(created.status).toBe(201);
    expect((await call(url, 'GET', '/v1/topics')).status).toBe(401);
    expect((await call(url, 'GET', '/v1/topics', created.body.key)).status).toBe(200);
  });
});

function defaults() {
  return {
    metricsPublic: false,
    allowAnonymous: false,
    maxResponseBytes: 16 << 20,
    maxTopics: 1000,
    maxPartitions: 10_000,
    maxGroups: 1000,
  };
}
