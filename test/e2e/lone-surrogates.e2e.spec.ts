import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { wellFormedJsonParser } from '../../src/http/validation/well-formed-json.js';

/** Sends `body` (text or raw bytes) as JSON and answers the status and error code. */
async function post(url: string, path: string, body: string | Uint8Array): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  const answer = (text ? JSON.parse(text) : {}) as { error?: { code: string } };
  return { status: response.status, code: answer.error?.code };
}

async function get<T>(url: string, path: string): Promise<T> {
  return (await (await fetch(`${url}${path}`)).json()) as T;
}

const refused = { status: 400, code: 'INVALID_REQUEST' };

describe(wellFormedJsonParser.name, () => {
  let storage: TestStorage;
  let broker: BrokerProcess;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await spawnBroker(storage.storage.url);
    await broker.client.createTopic({ name: 'jobs', partitions: 1 });
  });
  afterAll(async () => {
    broker.child.kill('SIGKILL');
    await broker.client.close();
    await storage.dispose();
  });

  async function endOffset(): Promise<number> {
    return (await broker.client.describeTopic('jobs')).partitions[0].endOffset;
  }

  it('answers 400 INVALID_REQUEST to a lone surrogate in any produced string, and writes nothing', async () => {
    // JSON.stringify writes a lone surrogate as the escape `\ud800`, as any JSON encoder must.
    const records = [
      { value: '\ud800' },
      { value: 'ok \udfff' },
      { value: { nested: [1, { deep: 'a\udc00b' }] } },
      { value: { ['key\ud800']: 1 } },
      { key: '\ud83d', value: 1 },
      { value: 1, headers: { ['h\udbff']: 'v' } },
      { value: 1, headers: { h: '\ude00' } },
      { value: 1, idempotencyKey: 'id-\ud800' },
      { value: 1, delayMs: 60_000, headers: { h: '\ud800' } },
    ];
    for (const record of records) {
      const body = JSON.stringify({ records: [{ value: 'fine' }, record] });
      expect({ record, answer: await post(broker.url, '/v1/topics/jobs/records', body) }).toEqual({
        record,
        answer: refused,
      });
    }
    // Upper-case escapes and a surrogate escape beside a raw character are the same.
    for (const body of ['{"records":[{"value":"\\uD800"}]}', '{"records":[{"value":"\\uDC00\\uD800"}]}']) {
      expect({ body, answer: await post(broker.url, '/v1/topics/jobs/records', body) }).toEqual({
        body,
        answer: refused,
      });
    }
    expect(await endOffset()).toBe(0);
    expect(await get(broker.url, '/v1/topics/jobs/scheduled-records')).toEqual({ scheduledRecords: [] });
  });

  it('stores well-formed escapes as they are: a surrogate pair, an escaped backslash before `u`', async () => {
    const before = await endOffset();
    const pair = await post(
      broker.url,
      '/v1/topics/jobs/records',
      '{"records":[{"key":"\\ud83d\\ude00","value":"\\uD83D\\uDE00"}]}',
    );
    const text = await post(
      broker.url,
      '/v1/topics/jobs/records',
      '{"records":[{"value":"\\\\ud800","headers":{"h":"\\\\udc00"}}]}',
    );
    expect([pair.status, text.status]).toEqual([200, 200]);
    const read = await broker.client.read('jobs', 0, { offset: before });
    expect(read.records.map((r) => [r.key, r.value, r.headers])).toEqual([
      ['😀', '😀', {}],
      [null, '\\ud800', { h: '\\udc00' }],
    ]);
  });

  it('answers 400 INVALID_REQUEST to a body that is not UTF-8, instead of storing U+FFFD', async () => {
    const before = await endOffset();
    const prefix = Buffer.from('{"records":[{"value":"');
    const suffix = Buffer.from('"}]}');
    for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80] /* a surrogate in CESU-8 */, [0xf8, 0x88, 0x80, 0x80]]) {
      const body = Buffer.concat([prefix, Buffer.from(bytes), suffix]);
      expect({ bytes, answer: await post(broker.url, '/v1/topics/jobs/records', body) }).toEqual({
        bytes,
        answer: refused,
      });
    }
    expect(await endOffset()).toBe(before);
    const accented = Buffer.concat([prefix, Buffer.from('café ✓ 😀'), suffix]);
    expect((await post(broker.url, '/v1/topics/jobs/records', accented)).status).toBe(200);
  });

  it('answers 400 on the other routes that store strings: schedules, ack reasons, topic and group config', async () => {
    const schedule = JSON.stringify({ name: 'tick', topic: 'jobs', everyMs: 60_000, record: { value: '\ud800' } });
    expect(await post(broker.url, '/v1/schedules', schedule)).toEqual(refused);
    const scheduleKey = JSON.stringify({
      name: 'tick',
      topic: 'jobs',
      everyMs: 60_000,
      record: { key: 'k\udc00', value: 1 },
    });
    expect(await post(broker.url, '/v1/schedules', scheduleKey)).toEqual(refused);
    expect(await get(broker.url, '/v1/schedules')).toEqual({ schedules: [] });

    const topic = JSON.stringify({ name: 'other', partitions: 1, config: { ['retentionMs\ud800']: 1 } });
    expect(await post(broker.url, '/v1/topics', topic)).toEqual(refused);
    expect((await broker.client.listTopics()).topics.map((t) => t.name)).toEqual(['jobs']);

    await broker.client.updateShareGroupConfig('workers', { autoOffsetReset: 'earliest' });
    const { memberId } = await broker.client.joinShareGroup('workers', { topics: ['jobs'] });
    await broker.client.produce('jobs', [{ value: 'work' }]);
    const fetched = await broker.client.shareFetch('workers', memberId, { maxRecords: 1, maxWaitMs: 10_000 });
    const { topic: t, partition, offset } = fetched.records[0];
    const members = `/v1/share-groups/workers/members/${encodeURIComponent(memberId)}`;
    const reject = JSON.stringify({ acks: [{ topic: t, partition, offset, type: 'reject', reason: 'bad \ud800' }] });
    expect(await post(broker.url, `${members}/acks`, reject)).toEqual(refused);
    expect(await post(broker.url, `${members}/fetch`, reject)).toEqual(refused);
    // Nothing was applied: the member still holds the record and can accept it.
    expect(
      await broker.client.acknowledge('workers', memberId, [{ topic: t, partition, offset, type: 'accept' }]),
    ).toEqual([expect.objectContaining({ offset, error: null })]);

    const config = await fetch(`${broker.url}/v1/share-groups/workers/config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deadLetterTopic: 'dlq\ud800' }),
    });
    expect([config.status, ((await config.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'INVALID_REQUEST',
    ]);
  });
});
