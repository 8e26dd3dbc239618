import { STORAGE_FULL_REPORT_MS } from '../../src/platform/storage-pressure.js';
import { DEFAULT_SECURITY } from '../../src/config/shoal-config.js';
import type { ManualClock } from '../../src/platform/clock.js';
import { deeperThan } from '../../src/http/framework-errors.js';
import { Database } from '../../src/storage/database.js';
import { call } from '../support/auth-http.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { rawHttp } from '../support/raw-socket.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

/** JSON text of arrays nested `depth` deep (too deep for JSON.stringify to write). */
function nested(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

describe('Hostile input over HTTP', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let url: string;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    const security = {
      ...DEFAULT_SECURITY,
      maxResponseBytes: 64 * 1024,
      maxTopics: 40,
      maxPartitions: 200,
      maxGroups: 12,
    };
    broker = await startBroker(testConfig(storage.storage, { security }));
    url = broker.url;
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('serves a topic whose name has 101 to 249 characters, and answers 400 INVALID_NAME at 250', async () => {
    for (const length of [101, 249]) {
      const name = 'n'.repeat(length);
      expect((await call(url, 'POST', '/v1/topics', undefined, { name, partitions: 1 })).status).toBe(201);
      expect(
        (await call(url, 'POST', `/v1/topics/${name}/records`, undefined, { records: [{ value: 1 }] })).status,
      ).toBe(200);
      expect((await call(url, 'GET', `/v1/topics/${name}/partitions/0/records`)).body.records).toHaveLength(1);
      expect((await call(url, 'DELETE', `/v1/topics/${name}`)).status).toBe(204);
    }
    const tooLong = await call(url, 'GET', `/v1/topics/${'n'.repeat(250)}`);
    expect([tooLong.status, tooLong.body.error.code]).toEqual([400, 'INVALID_NAME']);
    const wayTooLong = await call(url, 'GET', `/v1/topics/${'n'.repeat(1_001)}`);
    expect([wayTooLong.status, wayTooLong.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('bounds a read and a consumer fetch by the response cap; a first larger record passes alone', async () => {
    await call(url, 'POST', '/v1/topics', undefined, { name: 'big', partitions: 1 });
    const value = 'x'.repeat(20 * 1024);
    for (let i = 0; i < 3; i++)
      await call(url, 'POST', '/v1/topics/big/records', undefined, {
        records: Array.from({ length: 10 }, () => ({ value })),
      });
    const read = await call(url, 'GET', '/v1/topics/big/partitions/0/records?offset=0&maxRecords=10000');
    expect(read.body.records).toHaveLength(3); // 3 × ~20 KiB within 64 KiB
    const huge = await call(
      url,
      'GET',
      '/v1/topics/big/partitions/0/records?offset=0&maxRecords=10000&maxBytes=999999999999',
    );
    expect(huge.body.records).toHaveLength(3);
    await call(url, 'POST', '/v1/topics', undefined, { name: 'huge-one', partitions: 1 });
    await call(url, 'POST', '/v1/topics/huge-one/records', undefined, {
      records: [{ value: 'y'.repeat(100 * 1024) }, { value: 1 }],
    });
    expect((await call(url, 'GET', '/v1/topics/huge-one/partitions/0/records?offset=0')).body.records).toHaveLength(1);
    const member = (
      await call(url, 'POST', '/v1/consumer-groups/big-c/members', undefined, {
        topics: ['big'],
        autoOffsetReset: 'earliest',
      })
    ).body;
    const fetched = await call(url, 'POST', `/v1/consumer-groups/big-c/members/${member.memberId}/fetch`, undefined, {
      maxRecords: 10_000,
    });
    expect(fetched.body.records).toHaveLength(3);
    const rest = await call(url, 'POST', `/v1/consumer-groups/big-c/members/${member.memberId}/fetch`, undefined, {
      maxRecords: 10_000,
    });
    expect(rest.body.records[0].offset).toBe(3);
  });

  it('answers 400 to JSON nested deeper than the limit, in any body and in a produced value', async () => {
    await call(url, 'POST', '/v1/topics', undefined, { name: 'deep', partitions: 1 });
    for (const [path, body] of [
      ['/v1/topics', `{"name":"deep2","partitions":1,"config":${nested(1_500)}}`],
      ['/v1/share-groups/deep/members', `{"topics":${nested(1_500)}}`],
      ['/v1/topics/deep/records', `{"records":[{"value":${nested(5_000)}}]}`],
    ]) {
      const answer = await call(url, 'POST', path, undefined, body);
      expect({ path, status: answer.status, code: answer.body.error.code }).toEqual({
        path,
        status: 400,
        code: 'INVALID_REQUEST',
      });
    }
    const fine = `{"records":[{"value":${nested(50)}}]}`;
    expect((await call(url, 'POST', '/v1/topics/deep/records', undefined, fine)).status).toBe(200);
    expect(deeperThan(JSON.parse(nested(63)), 64)).toBe(false);
    expect(deeperThan(JSON.parse(nested(65)), 64)).toBe(true);
  });

  it('refuses a null sessionTimeoutMs with 400 instead of failing on it', async () => {
    await call(url, 'POST', '/v1/topics', undefined, { name: 'nulls', partitions: 1 });
    for (const kind of ['share-groups', 'consumer-groups']) {
      const answer = await call(url, 'POST', `/v1/${kind}/nulls/members`, undefined, {
        topics: ['nulls'],
        sessionTimeoutMs: null,
      });
      expect([kind, answer.status, answer.body.error.code]).toEqual([kind, 400, 'INVALID_REQUEST']);
    }
  });

  it('answers framework errors in the contract shape: bad encoding, long URL, bad Content-Length', async () => {
    const bad = await call(url, 'GET', '/v1/topics/%ZZ');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
    const longUrl = await rawHttp(url, `GET /v1/topics/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(longUrl).toEqual({
      status: 431,
      body: { error: { code: 'REQUEST_TOO_LARGE', message: expect.any(String) } },
    });
    const length = await rawHttp(
      url,
      'POST /v1/topics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}',
    );
    expect(length).toEqual({ status: 400, body: { error: { code: 'INVALID_REQUEST', message: expect.any(String) } } });
  });

  it('takes only decimal digits as a partition', async () => {
    await call(url, 'POST', '/v1/topics', undefined, { name: 'parts', partitions: 2 });
    for (const partition of ['0x1', '+0', '-0', '%201', '1e2', '1.0', ' 1']) {
      const answer = await call(url, 'GET', `/v1/topics/parts/partitions/${partition}/records`);
      expect([partition, answer.status, answer.body.error.code]).toEqual([partition, 400, 'INVALID_REQUEST']);
    }
    expect((await call(url, 'GET', '/v1/topics/parts/partitions/1/records')).status).toBe(200);
  });

  it('accepts a commit of an offset the log has not reached yet', async () => {
    await call(url, 'POST', '/v1/topics', undefined, { name: 'ahead', partitions: 1 });
    const member = (await call(url, 'POST', '/v1/consumer-groups/ahead-c/members', undefined, { topics: ['ahead'] }))
      .body;
    const offsets = [{ topic: 'ahead', partition: 0, offset: 42 }];
    const commit = await call(url, 'POST', '/v1/consumer-groups/ahead-c/offsets', undefined, {
      memberId: member.memberId,
      generation: member.generation,
      offsets,
    });
    expect(commit.status).toBe(200);
    expect((await call(url, 'GET', '/v1/consumer-groups/ahead-c')).body.offsets[0].committedOffset).toBe(42);
  });

  it('enforces quotas on topics, partitions and groups with 409 QUOTA_EXCEEDED', async () => {
    const tooWide = await call(url, 'POST', '/v1/topics', undefined, { name: 'wide', partitions: 500 });
    expect([tooWide.status, tooWide.body.error.code]).toEqual([409, 'QUOTA_EXCEEDED']);
    await call(url, 'POST', '/v1/topics', undefined, { name: 'grow', partitions: 1 });
    expect((await call(url, 'PATCH', '/v1/topics/grow', undefined, { partitions: 500 })).body.error.code).toBe(
      'QUOTA_EXCEEDED',
    );
    let groupAnswer = { status: 0, body: {} as { error?: { code: string } } };
    for (let i = 0; i < 20 && groupAnswer.status !== 409; i++)
      groupAnswer = await call(url, 'POST', `/v1/share-groups/quota-${i}/members`, undefined, { topics: ['grow'] });
    expect(groupAnswer.body.error?.code).toBe('QUOTA_EXCEEDED');
    let topicAnswer = { status: 0, body: {} as { error?: { code: string } } };
    for (let i = 0; i < 50 && topicAnswer.status !== 409; i++)
      topicAnswer = await call(url, 'POST', '/v1/topics', undefined, { name: `quota-${i}`, partitions: 1 });
    expect(topicAnswer.body.error?.code).toBe('QUOTA_EXCEEDED');
    for (let i = 0; i < 50; i++) await call(url, 'DELETE', `/v1/topics/quota-${i}`);
  });

  it('answers 503 STORAGE_FULL when the disk is full, says so on /health, and still deletes', async () => {
    const database = broker.app.get(Database);
    await call(url, 'POST', '/v1/topics', undefined, { name: 'filler', partitions: 1 });
    const pages = await database.run((sql) => sql.rows<{ page_count: number }>('PRAGMA page_count'));
    await database.run((sql) => sql.rows(`PRAGMA max_page_count = ${Number(pages[0].page_count) + 20}`));
    let answer = { status: 200, body: {} as { error?: { code: string } } };
    for (let i = 0; i < 200 && answer.status === 200; i++)
      answer = await call(url, 'POST', '/v1/topics/filler/records', undefined, {
        records: [{ value: 'z'.repeat(30_000) }],
      });
    expect([answer.status, answer.body.error?.code]).toEqual([503, 'STORAGE_FULL']);
    const health = await call(url, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.error.code).toBe('STORAGE_FULL');
    expect((await call(url, 'DELETE', '/v1/topics/filler')).status).toBe(204);
    await database.run((sql) => sql.rows('PRAGMA max_page_count = 1073741823'));
    (broker.clock as ManualClock).advance(STORAGE_FULL_REPORT_MS);
    expect((await call(url, 'GET', '/health')).status).toBe(200);
  });
});
