import { randomBytes } from 'node:crypto';
import { type TestBroker, startBroker } from '../support/broker.js';
import { failure, rawRequest } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

describe.each(STORAGE_KINDS)('record routes over HTTP on %s', (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  const produceUrl = (topic: string) => `${broker.url}/v1/topics/${topic}/records`;

  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage, { maxRecordBytes: 10_000, maxRequestBytes: 200_000 }));
    await broker.client.createTopic({ name: 'events', partitions: 3 });
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  async function endOffsets(topic: string): Promise<number[]> {
    return (await broker.client.describeTopic(topic)).partitions.map((p) => p.endOffset);
  }

  it('produces JSON and bytes and reads them back in the form they were produced in', async () => {
    const bytes = randomBytes(300);
    const produced = await broker.client.produce('events', [
      { key: 'k1', value: { deep: [1, { x: null }] }, headers: { trace: 'abc' }, partition: 1, timestamp: 1234 },
      { valueBase64: bytes.toString('base64'), partition: 1 },
    ]);
    expect(produced.offsets.map((o) => o.partition)).toEqual([1, 1]);
    const read = await broker.client.read('events', 1, { offset: produced.offsets[0].offset });
    expect(read.records[0]).toEqual({
      topic: 'events',
      partition: 1,
      offset: produced.offsets[0].offset,
      timestamp: 1234,
      key: 'k1',
      value: { deep: [1, { x: null }] },
      headers: { trace: 'abc' },
    });
    expect(Buffer.from(read.records[1].valueBase64!, 'base64')).toEqual(bytes);
    expect(read.records[1].key).toBeNull();
    expect(read.records[1].timestamp).toBeGreaterThan(0);
    expect(read.nextOffset).toBe(produced.offsets[1].offset + 1);
    expect(read.endOffset).toBe(read.nextOffset);
  });

  it('finds the offset for a timestamp', async () => {
    await broker.client.createTopic({ name: 'replay', partitions: 1 });
    await broker.client.produce(
      'replay',
      [10, 20, 30].map((timestamp) => ({ value: timestamp, timestamp })),
    );
    expect(await broker.client.offsetForTimestamp('replay', 0, 15)).toEqual({ offset: 1 });
    expect(await broker.client.offsetForTimestamp('replay', 0, 31)).toEqual({ offset: 3 });
  });

  it('wakes a long-polling reader when a record arrives', async () => {
    await broker.client.createTopic({ name: 'poll', partitions: 1 });
    const waiting = broker.client.read('poll', 0, { offset: 0, maxWaitMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await broker.client.produce('poll', [{ value: 'now' }]);
    expect((await waiting).records.map((r) => r.value)).toEqual(['now']);
  });

  it.each([
    ['malformed JSON', '{"records": [', 'INVALID_REQUEST'],
    ['an empty body', '', 'INVALID_REQUEST'],
    ['no records', '{"records": []}', 'INVALID_REQUEST'],
    ['records that are not an array', '{"records": "x"}', 'INVALID_REQUEST'],
    ['an array body', '[{"value": 1}]', 'INVALID_REQUEST'],
    ['a record with both values', '{"records": [{"value": 1}, {"value": 1, "valueBase64": "AA=="}]}', 'INVALID_RECORD'],
    ['a record with bad base64', '{"records": [{"value": 1}, {"valueBase64": "not base64"}]}', 'INVALID_RECORD'],
    ['a record with non-string headers', '{"records": [{"value": 1, "headers": {"a": 1}}]}', 'INVALID_RECORD'],
  ])('answers 400 for %s and writes nothing', async (_name, body, code) => {
    const before = await endOffsets('events');
    const answer = await rawRequest(produceUrl('events'), 'POST', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(await endOffsets('events')).toEqual(before);
  });

  it('names the index of the bad record', async () => {
    const answer = await rawRequest(
      produceUrl('events'),
      'POST',
      JSON.stringify({ records: [{ value: 1 }, { value: 2 }, { key: 3, value: 3 }] }),
    );
    expect(answer.body.error.message).toContain('records[2]');
  });

  it('answers 400 INVALID_REQUEST for 10,001 records', async () => {
    const records = Array.from({ length: 10_001 }, () => ({ value: 1 }));
    expect(await failure(broker.client.produce('events', records))).toEqual({ status: 400, code: 'INVALID_REQUEST' });
  });

  it('answers 400 UNKNOWN_PARTITION for a record aimed past the last partition, and writes none of the batch', async () => {
    const before = await endOffsets('events');
    expect(
      await failure(
        broker.client.produce('events', [
          { value: 1, partition: 0 },
          { value: 2, partition: 3 },
        ]),
      ),
    ).toEqual({ status: 400, code: 'UNKNOWN_PARTITION' });
    expect(await endOffsets('events')).toEqual(before);
  });

  it('answers 413 RECORD_TOO_LARGE for a record over the record limit, and writes none of the batch', async () => {
    const before = await endOffsets('events');
    const records = [{ value: 'small' }, { value: 'x'.repeat(10_001) }];
    expect(await failure(broker.client.produce('events', records))).toEqual({ status: 413, code: 'RECORD_TOO_LARGE' });
    expect(await endOffsets('events')).toEqual(before);
  });

  it('answers 413 REQUEST_TOO_LARGE for a body over the request limit', async () => {
    const records = Array.from({ length: 30 }, () => ({ value: 'y'.repeat(9_000) }));
    expect(await failure(broker.client.produce('events', records))).toEqual({ status: 413, code: 'REQUEST_TOO_LARGE' });
  });

  it('answers 400 for reads with a bad partition, offset or query', async () => {
    const { client } = broker;
    const end = (await client.describeTopic('events')).partitions[0].endOffset;
    expect(await failure(client.read('events', 3))).toEqual({ status: 400, code: 'UNKNOWN_PARTITION' });
    expect(await failure(client.offsetForTimestamp('events', 7, 0))).toEqual({
      status: 400,
      code: 'UNKNOWN_PARTITION',
    });
    expect(await failure(client.read('events', 0, { offset: end + 1 }))).toEqual({
      status: 400,
      code: 'OFFSET_OUT_OF_RANGE',
    });
    for (const query of [
      'offset=-1',
      'offset=abc',
      'maxRecords=0',
      'maxRecords=10001',
      'maxWaitMs=x',
      'maxBytes=0',
      'color=red',
    ]) {
      const answer = await rawRequest(`${broker.url}/v1/topics/events/partitions/0/records?${query}`, 'GET');
      expect([query, answer.status, answer.body.error.code]).toEqual([query, 400, 'INVALID_REQUEST']);
    }
    for (const path of [
      'partitions/x/records',
      'partitions/-1/records',
      'partitions/1.5/records',
      'partitions/0/offsets',
      'partitions/0/offsets?timestamp=soon',
    ]) {
      const answer = await rawRequest(`${broker.url}/v1/topics/events/${path}`, 'GET');
      expect([path, answer.status, answer.body.error.code]).toEqual([path, 400, 'INVALID_REQUEST']);
    }
  });

  it('times requests by route template and status on GET /metrics', async () => {
    const before = await rawRequest(`${broker.url}/metrics`, 'GET');
    const count = (text: string) =>
      Number(
        /shoal_http_request_duration_seconds_count\{method="POST",route="\/v1\/topics\/:topic\/records",status="404"\} (\d+)/.exec(
          text,
        )?.[1] ?? 0,
      );
    await broker.client.produce('ghost-topic', [{ value: 1 }]).catch(() => undefined);
    const after = await rawRequest(`${broker.url}/metrics`, 'GET');
    expect(count(after.body as string)).toBe(count(before.body as string) + 1);
    expect(after.body).toContain('process_cpu_seconds_total');
  });

  it('never answers 5xx, whatever the body', async () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"records"',
      ':',
      ',',
      '"value"',
      '"valueBase64"',
      '"key"',
      '"headers"',
      '"partition"',
      '"timestamp"',
      '1',
      '-1',
      '1e400',
      'null',
      'true',
      '"x"',
      '{}',
      '[]',
      '"__proto__"',
      '"AA=="',
      '9007199254740993',
    ];
    for (let i = 0; i < 300; i++) {
      const body = Array.from(
        { length: 1 + Math.floor(random() * 25) },
        () => pieces[Math.floor(random() * pieces.length)],
      ).join('');
      const route =
        random() < 0.7
          ? produceUrl('events')
          : random() < 0.5
            ? `${broker.url}/v1/topics`
            : `${broker.url}/v1/topics/events`;
      const method = route.endsWith('/events') ? 'PATCH' : 'POST';
      const answer = await rawRequest(route, method, body);
      expect([body, answer.status < 500]).toEqual([body, true]);
    }
  });
});
