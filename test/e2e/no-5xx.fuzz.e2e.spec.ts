import fc from 'fast-check';
import { DEFAULT_SECURITY } from '../../src/config/shoal-config.js';
import { systemClock } from '../../src/platform/clock.js';
import { call } from '../support/auth-http.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

/** Fixed so a failure is reproducible: fast-check prints the seed and path of the shrunk case. */
const SEED = 20_261_201;
const RUNS = 5_200;

const TOPICS = ['fz-a', 'fz-b'];
const GROUPS = ['fz-g'];
/** Outside the fuzzed names: only the partial-write property touches it. */
const ATOMIC = 'atomic-batches';

interface FuzzRequest {
  method: string;
  path: string;
  body?: unknown;
}

const weird = fc.oneof(
  fc.constantFrom(null, -1, 0, 1.5, 2 ** 53, -(2 ** 63), 1e308, '', '0', 'x', true, [], {}, [null], { a: 1 }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Mostly a good value, sometimes anything. */
const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: weird });

const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TOPICS, ...GROUPS) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9._-]{1,12}$/).map((s) => `fz-${s}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('a'.repeat(249), 'a'.repeat(250), 'a'.repeat(1_200), '..', '%ZZ', '%00', 'é', 'a b'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
);
const partitionText = fc.oneof(
  fc.constantFrom('0', '1', '2', '4294967296', '99999999999', '-1', '0x1', '+0', '-0', '%201', '1e2', 'abc', ''),
  fc.nat(5).map(String),
);
/** Never a long wait: a valid maxWaitMs is 0, the rest are invalid. */
const waitMs = fc.constantFrom(undefined, 0, -1, 'x', null, 1e12, 300_001);
const record = fc.record(
  {
    key: maybe(fc.string({ maxLength: 10 })),
    value: maybe(fc.jsonValue({ maxDepth: 4 })),
    partition: maybe(fc.nat(3)),
    headers: maybe(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 })),
    timestamp: maybe(fc.nat()),
  },
  { requiredKeys: [] },
);
const ackEntry = fc.record(
  {
    topic: maybe(fc.constantFrom(...TOPICS)),
    partition: maybe(fc.nat(3)),
    offset: maybe(fc.nat(50)),
    lastOffset: maybe(fc.nat(60)),
    type: maybe(fc.constantFrom('accept', 'release', 'reject', 'renew')),
    delayMs: maybe(fc.nat(1000)),
    reason: maybe(fc.string({ maxLength: 20 })),
  },
  { requiredKeys: [] },
);
const topicsList = maybe(fc.array(fc.constantFrom(...TOPICS, 'fz-missing'), { maxLength: 3 }));
const resetTo = maybe(
  fc.oneof(
    fc.constantFrom('earliest', 'latest'),
    fc.record({ offset: fc.nat(10) }),
    fc.record({ timestamp: fc.nat() }),
  ),
);
const config = fc.record(
  {
    retentionMs: maybe(fc.nat()),
    retentionBytes: maybe(fc.nat()),
    recordLockDurationMs: maybe(fc.nat(100_000)),
    deliveryCountLimit: maybe(fc.nat(12)),
    maxInFlight: maybe(fc.nat(5000)),
    autoOffsetReset: maybe(fc.constantFrom('earliest', 'latest')),
    deadLetterTopic: maybe(fc.constantFrom(...TOPICS, 'fz-missing')),
  },
  { requiredKeys: [] },
);

function requests(members: () => string[]): fc.Arbitrary<FuzzRequest> {
  const member = fc.oneof(fc.constantFrom(...members()), fc.constantFrom('m', 'x'.repeat(300), '%ZZ'), fc.uuid());
  const kind = fc.constantFrom('consumer-groups', 'share-groups');
  const q = (o: Record<string, unknown>) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&');
  return fc.oneof(
    fc.record({ method: fc.constant('GET'), path: fc.constant('/v1/topics') }),
    fc.record({
      method: fc.constant('POST'),
      path: fc.constant('/v1/topics'),
      body: maybe(
        fc.record(
          { name, partitions: maybe(fc.integer({ min: 0, max: 40 })), config: maybe(config) },
          { requiredKeys: [] },
        ),
      ),
    }),
    fc
      .tuple(
        fc.constantFrom('GET', 'PATCH', 'DELETE'),
        name,
        fc.record({ partitions: maybe(fc.integer({ min: 0, max: 40 })), config: maybe(config) }, { requiredKeys: [] }),
      )
      .map(([method, n, body]) => ({ method, path: `/v1/topics/${n}`, body: method === 'PATCH' ? body : undefined })),
    fc
      .tuple(name, maybe(fc.array(record, { maxLength: 5 })))
      .map(([n, records]) => ({ method: 'POST', path: `/v1/topics/${n}/records`, body: { records } })),
    fc
      .tuple(
        name,
        partitionText,
        fc.record(
          {
            offset: maybe(fc.nat(100)),
            maxRecords: maybe(fc.integer({ min: -1, max: 20_000 })),
            maxBytes: maybe(fc.nat()),
            maxWaitMs: waitMs,
          },
          { requiredKeys: [] },
        ),
      )
      .map(([n, p, query]) => ({ method: 'GET', path: `/v1/topics/${n}/partitions/${p}/records?${q(query)}` })),
    fc.tuple(name, partitionText, maybe(fc.nat())).map(([n, p, timestamp]) => ({
      method: 'GET',
      path: `/v1/topics/${n}/partitions/${p}/offsets?${q({ timestamp })}`,
    })),
    fc
      .tuple(
        kind,
        name,
        fc.record(
          {
            topics: topicsList,
            sessionTimeoutMs: maybe(fc.integer({ min: 0, max: 4_000_000 })),
            autoOffsetReset: maybe(fc.constantFrom('earliest', 'latest')),
          },
          { requiredKeys: [] },
        ),
      )
      .map(([k, g, body]) => ({ method: 'POST', path: `/v1/${k}/${g}/members`, body })),
    fc.tuple(kind, name, member, fc.constantFrom('heartbeat', 'fetch', 'acks')).chain(([k, g, m, action]) =>
      fc
        .record(
          {
            maxRecords: maybe(fc.integer({ min: 0, max: 20_000 })),
            maxWaitMs: waitMs,
            acks: maybe(fc.array(ackEntry, { maxLength: 4 })),
          },
          { requiredKeys: [] },
        )
        .map((body) => ({
          method: 'POST',
          path: `/v1/${k}/${g}/members/${m}/${action}`,
          body: action === 'heartbeat' ? {} : body,
        })),
    ),
    fc.tuple(kind, name, member).map(([k, g, m]) => ({ method: 'DELETE', path: `/v1/${k}/${g}/members/${m}` })),
    fc
      .tuple(
        name,
        fc.record(
          {
            memberId: maybe(member),
            generation: maybe(fc.nat(5)),
            offsets: maybe(
              fc.array(
                fc.record(
                  { topic: maybe(fc.constantFrom(...TOPICS)), partition: maybe(fc.nat(3)), offset: maybe(fc.nat(100)) },
                  { requiredKeys: [] },
                ),
                { maxLength: 3 },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      )
      .map(([g, body]) => ({ method: 'POST', path: `/v1/consumer-groups/${g}/offsets`, body })),
    fc
      .tuple(
        kind,
        name,
        fc.record(
          { topic: maybe(fc.constantFrom(...TOPICS)), partition: maybe(fc.nat(3)), to: resetTo },
          { requiredKeys: [] },
        ),
      )
      .map(([k, g, body]) => ({ method: 'POST', path: `/v1/${k}/${g}/offsets/reset`, body })),
    fc.tuple(kind, name, fc.constantFrom('GET', 'DELETE')).map(([k, g, method]) => ({ method, path: `/v1/${k}/${g}` })),
    fc.tuple(name, maybe(config)).map(([g, body]) => ({ method: 'PATCH', path: `/v1/share-groups/${g}/config`, body })),
    fc.constantFrom<FuzzRequest>(
      { method: 'GET', path: '/metrics' },
      { method: 'GET', path: '/health' },
      { method: 'PUT', path: '/v1/topics' },
      { method: 'GET', path: '/nowhere' },
    ),
    fc
      .tuple(
        fc.constantFrom('/v1/api-keys', '/v1/acls'),
        fc.record(
          {
            principal: maybe(fc.string({ maxLength: 10 })),
            resourceType: maybe(fc.constantFrom('topic', 'group')),
            resourceName: maybe(fc.string({ maxLength: 5 })),
            operation: maybe(fc.constantFrom('read', 'produce')),
          },
          { requiredKeys: [] },
        ),
      )
      .map(([path]) => ({ method: 'GET', path })),
    // Bodies that are not JSON objects at all.
    fc
      .tuple(
        fc.constantFrom('/v1/topics', `/v1/topics/${TOPICS[0]}/records`, '/v1/share-groups/fz-g/members'),
        fc.constantFrom('{', '[]', 'null', '"x"', '{"a":', '1', `{"records":${'['.repeat(100)}${']'.repeat(100)}}`),
      )
      .map(([path, body]) => ({ method: 'POST', path, body })),
  );
}

describe('no 5xx from any request (fast-check fuzz)', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  const members: string[] = [];

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    const security = { ...DEFAULT_SECURITY, maxTopics: 100, maxPartitions: 1_000, maxGroups: 100 };
    // Durability is not what this tests: no fsync per commit keeps the run short.
    const fast = { ...storage.storage, sqliteSynchronous: 'OFF' as const };
    broker = await startBroker(testConfig(fast, { security }), systemClock);
    for (const topic of [...TOPICS, ATOMIC]) await broker.client.createTopic({ name: topic, partitions: 2 });
    await broker.client.produce(
      TOPICS[0],
      Array.from({ length: 20 }, (_, i) => ({ value: { i } })),
    );
    await broker.client.updateShareGroupConfig('fz-g', { autoOffsetReset: 'earliest' });
    members.push((await broker.client.joinShareGroup('fz-g', { topics: TOPICS })).memberId);
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it(`answers ${RUNS} generated requests with no 5xx, every 4xx in the error shape`, async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        requests(() => members),
        async (request) => {
          const answer = await call(broker.url, request.method, request.path, undefined, request.body);
          sent++;
          if (answer.status === 201 && typeof answer.body?.memberId === 'string') members.push(answer.body.memberId);
          expect({ request, status: answer.status }).toEqual({ request, status: expect.any(Number) });
          if (answer.status >= 500 && !request.path.startsWith('/health'))
            throw new Error(
              `${answer.status} for ${JSON.stringify(request).slice(0, 500)}: ${JSON.stringify(answer.body)}`,
            );
          if (answer.status >= 400) {
            expect(answer.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
          }
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(sent).toBeGreaterThanOrEqual(5_000);
  }, 180_000);

  it('never writes part of a batch: one bad record leaves every end offset where it was', async () => {
    const bad = fc.constantFrom<unknown>(
      { value: 1, partition: 99 },
      { value: 1, key: 5 },
      { value: 1, headers: { a: 1 } },
      { value: 1, timestamp: -1 },
      { key: 'k' },
      { value: 'x'.repeat(1024 * 1024 + 1) },
      null,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ value: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 10 }),
        bad,
        fc.nat(10),
        async (good, poison, at) => {
          const records: unknown[] = [...good];
          records.splice(Math.min(at, records.length), 0, poison);
          const before = (await broker.client.describeTopic(ATOMIC)).partitions.map((p) => p.endOffset);
          const answer = await call(broker.url, 'POST', `/v1/topics/${ATOMIC}/records`, undefined, { records });
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
          expect((await broker.client.describeTopic(ATOMIC)).partitions.map((p) => p.endOffset)).toEqual(before);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });
});
