import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import type { WireRecord } from '@shoal/protocol';
import { kafkaRecordOf } from '../../src/kafka/records/kafka-records.js';
import { decodeRecordBatches, encodeRecordBatch, type KafkaRecord } from '../../src/kafka/protocol/record-batch.js';
import { type BrokerProcess, freePort, spawnBroker } from '../support/broker-process.js';
import { KafkaWireClient } from '../support/kafka-wire-client.js';
import { createTestStorage, STORAGE_KINDS, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

/** A record as bytes: what any door must give back exactly. */
interface Bytes {
  key: Buffer | null;
  value: Buffer | null;
  headers: { name: string; value: Buffer | null }[];
}

const FETCH_VERSION = 11;

/** A record read over HTTP, back to bytes; checks on the way that no text field was altered. */
function bytesOfHttp(
  record: Pick<WireRecord, 'key' | 'keyBase64' | 'value' | 'valueBase64' | 'tombstone' | 'headers' | 'headerList'>,
): {
  key: Buffer | null;
  value: Buffer | null | { json: unknown };
  headers: { name: string; value: Buffer | null }[];
} {
  const key =
    record.keyBase64 !== undefined
      ? Buffer.from(record.keyBase64, 'base64')
      : record.key === null || record.key === undefined
        ? null
        : Buffer.from(record.key, 'utf8');
  if (record.keyBase64 !== undefined) expect(record).not.toHaveProperty('key');
  const value =
    record.tombstone === true
      ? null
      : record.valueBase64 !== undefined
        ? Buffer.from(record.valueBase64, 'base64')
        : { json: record.value };
  const headers =
    record.headerList === undefined
      ? Object.entries(record.headers).map(([name, v]) => ({ name, value: Buffer.from(v, 'utf8') }))
      : record.headerList.map((h) => ({
          name: h.name,
          value:
            h.valueBase64 !== undefined
              ? Buffer.from(h.valueBase64, 'base64')
              : h.value === null || h.value === undefined
                ? null
                : Buffer.from(h.value, 'utf8'),
        }));
  if (record.headerList !== undefined) {
    // `headers` holds only text values, each exactly (the last of a repeated name).
    const last: Record<string, string> = {};
    for (const h of record.headerList)
      if (typeof h.value === 'string')
        Object.defineProperty(last, h.name, { value: h.value, enumerable: true, writable: true, configurable: true });
    expect(record.headers).toEqual(last);
  }
  return { key, value, headers };
}

/** What HTTP must show of `sent`: its bytes, with a JSON value as HTTP reads JSON. */
function httpExpected(sent: Bytes): ReturnType<typeof bytesOfHttp> {
  let value: Buffer | null | { json: unknown } = sent.value;
  if (sent.value !== null && sent.value.length > 0 && isUtf8(sent.value)) {
    try {
      value = { json: JSON.parse(sent.value.toString('utf8')) };
    } catch {
      // not JSON: bytes
    }
  }
  return { key: sent.key, value, headers: sent.headers };
}

/** KafkaJS's view of headers: one entry per name, a repeated name as an array in order. */
function kafkaJsHeaders(headers: Bytes['headers']): Record<string, Buffer | null | (Buffer | null)[]> {
  const grouped: Record<string, Buffer | null | (Buffer | null)[]> = {};
  for (const { name, value } of headers) {
    const had = grouped[name];
    grouped[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return grouped;
}

const bytes = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
  fc.constantFrom(
    Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a]),
    Buffer.from('null'),
    Buffer.from('{"a":[1,2]}'),
    Buffer.from('{ "spaced" : true }'),
    Buffer.from('"text"'),
    Buffer.from('héllo ✓'),
    Buffer.from([0x00, 0x41]),
  ),
  fc.string({ maxLength: 8 }).map((s) => Buffer.from(s, 'utf8')),
);
const recordArb: fc.Arbitrary<Bytes> = fc.record({
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.array(
    fc.record({
      name: fc.constantFrom('trace', 'a', 'b', '0', '7', 'x-é'),
      value: fc.option(bytes, { nil: null }),
    }),
    { maxLength: 5 },
  ),
});

/** The built broker in its own process (npm run build first), KafkaJS 2.2.4, HTTP and Kafka's own wire. */
describe.each(STORAGE_KINDS)('Byte-faithful records (kafkaRecordOf) through every door on %s', (kind) => {
  let storage: TestStorage;
  let broker: BrokerProcess;
  let port: number;
  let wire: KafkaWireClient;
  let kafka: Kafka;
  let consumer: Consumer;
  const consumed = new Map<number, { key: Buffer | null; value: Buffer | null; headers: unknown }>();
  const SOURCE = 'rb-source';
  const DLQ = 'rb-dlq';
  const SHARE = 'rb-share';
  let memberId: string;

  beforeAll(async () => {
    storage = await createTestStorage(kind);
    port = await freePort();
    broker = await spawnBroker(storage.storage.url, undefined, {
      SHOAL_KAFKA_PORT: String(port),
      SHOAL_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '300',
    });
    wire = await KafkaWireClient.connect(port);
    kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    await broker.client.createTopic({ name: SOURCE, partitions: 1 });
    await broker.client.createTopic({ name: DLQ, partitions: 1 });
    await broker.client.updateShareGroupConfig(SHARE, { autoOffsetReset: 'earliest', deadLetterTopic: DLQ });
    memberId = (await broker.client.joinShareGroup(SHARE, { topics: [SOURCE] })).memberId;
    consumer = kafka.consumer({ groupId: 'rb-kafkajs', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: SOURCE, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        consumed.set(Number(message.offset), { key: message.key, value: message.value, headers: message.headers });
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    wire?.close();
    if (broker) {
      const exited = new Promise((resolve) => broker.child.once('exit', resolve));
      broker.child.kill('SIGTERM');
      await exited;
      await broker.client.close();
    }
    await storage?.dispose();
  });

  /** Produces `records` with Kafka Produce (the project's own encoder: it can send null header values); answers the base offset. */
  async function produce(topic: string, records: Bytes[]): Promise<number> {
    const batch = encodeRecordBatch({
      baseOffset: 0,
      records: records.map((r) => ({
        timestamp: Date.now(),
        key: r.key,
        value: r.value,
        headers: r.headers.map((h) => ({ key: h.name, value: h.value })),
      })),
    });
    const answer = await wire.request(0, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, records: batch }] }],
    });
    const partition = (answer['responses'] as Array<{ partitions: { errorCode: number; baseOffset: number }[] }>)[0]!
      .partitions[0]!;
    expect(partition.errorCode).toBe(0);
    return Number(partition.baseOffset);
  }

  async function fetchRecords(topic: string, offset: number): Promise<KafkaRecord[]> {
    const answer = await wire.request(1, FETCH_VERSION, {
      replicaId: -1,
      maxWait: 0,
      minBytes: 1,
      maxBytes: 10_000_000,
      isolationLevel: 0,
      topics: [{ name: topic, fetchPartitions: [{ partitionIndex: 0, fetchOffset: offset, maxBytes: 10_000_000 }] }],
      forgotten: [],
    });
    const data = (answer['responses'] as Array<{ partitionResponses: { recordSet: Buffer }[] }>)[0]!
      .partitionResponses[0]!;
    return decodeRecordBatches(data.recordSet).flatMap((b) => b.records);
  }

  const asBytes = (r: KafkaRecord): Bytes => ({
    key: r.key,
    value: r.value,
    headers: r.headers.map((h) => ({ name: h.key, value: h.value })),
  });

  it('gives back what KafkaJS sent, through KafkaJS: a tombstone, a binary key, a repeated header, a binary header value', async () => {
    await broker.client.createTopic({ name: 'rb-issue', partitions: 1 });
    const producer = kafka.producer();
    await producer.connect();
    const binaryKey = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a]);
    const binaryHeader = Buffer.from([0xc3, 0x28, 0xff]);
    try {
      await producer.send({
        topic: 'rb-issue',
        messages: [
          { key: 'k', value: null },
          { key: binaryKey, value: 'v' },
          { value: 'traced', headers: { trace: ['a', 'b'] } },
          { value: 'bin', headers: { bin: binaryHeader } },
          { key: null, value: '' },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const reader = kafka.consumer({ groupId: 'rb-issue-group', maxWaitTimeInMs: 100 });
    const got: { key: Buffer | null; value: Buffer | null; headers: unknown }[] = [];
    await reader.connect();
    try {
      await reader.subscribe({ topic: 'rb-issue', fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) =>
          void got.push({ key: message.key, value: message.value, headers: message.headers }),
      });
      await until(() => got.length === 5);
    } finally {
      await reader.disconnect();
    }
    expect(got[0]!.value).toBeNull();
    expect(got[1]!.key).toEqual(binaryKey);
    expect(got[2]!.headers).toEqual({ trace: [Buffer.from('a'), Buffer.from('b')] });
    expect(got[3]!.headers).toEqual({ bin: binaryHeader });
    expect(got[4]).toMatchObject({ key: null, value: Buffer.alloc(0) });

    const { records } = await broker.client.read('rb-issue', 0, { offset: 0, maxRecords: 10 });
    expect(records[0]).toMatchObject({ key: 'k', tombstone: true });
    expect(records[0]).not.toHaveProperty('value');
    expect(records[1]).toMatchObject({ keyBase64: binaryKey.toString('base64') });
    expect(records[1]).not.toHaveProperty('key');
    expect(records[2]).toMatchObject({
      headers: { trace: 'b' },
      headerList: [
        { name: 'trace', value: 'a' },
        { name: 'trace', value: 'b' },
      ],
    });
    expect(records[3]).toMatchObject({
      headers: {},
      headerList: [{ name: 'bin', valueBase64: binaryHeader.toString('base64') }],
    });
    expect(records[4]).toEqual(expect.objectContaining({ key: null, valueBase64: '', headers: {} }));
    expect(records[4]).not.toHaveProperty('headerList');
  });

  it('writes over HTTP what the old shape cannot say, and Kafka and HTTP read it back exactly', async () => {
    await broker.client.createTopic({ name: 'rb-http', partitions: 1 });
    const key = Buffer.from([0xff, 0x00, 0x80]);
    await broker.client.produce('rb-http', [
      {
        keyBase64: key.toString('base64'),
        tombstone: true,
        headerList: [
          { name: 'trace', value: 'a' },
          { name: 'trace', value: 'b' },
          { name: 'none', value: null },
          { name: 'bin', valueBase64: Buffer.from([0xfe]).toString('base64') },
        ],
      },
      { key: 'plain', value: null, headerList: [{ name: 'h', valueBase64: Buffer.from('text').toString('base64') }] },
    ]);
    const [first, second] = await fetchRecords('rb-http', 0);
    expect(asBytes(first!)).toEqual({
      key,
      value: null,
      headers: [
        { name: 'trace', value: Buffer.from('a') },
        { name: 'trace', value: Buffer.from('b') },
        { name: 'none', value: null },
        { name: 'bin', value: Buffer.from([0xfe]) },
      ],
    });
    // The JSON value null is the text "null", not a tombstone; a UTF-8 header given as bytes reads as text.
    expect(asBytes(second!)).toEqual({
      key: Buffer.from('plain'),
      value: Buffer.from('null'),
      headers: [{ name: 'h', value: Buffer.from('text') }],
    });
    const { records } = await broker.client.read('rb-http', 0, { offset: 0, maxRecords: 10 });
    expect(records[0]).toEqual({
      topic: 'rb-http',
      partition: 0,
      offset: 0,
      timestamp: expect.any(Number),
      keyBase64: key.toString('base64'),
      tombstone: true,
      headers: { trace: 'b' },
      headerList: [
        { name: 'trace', value: 'a' },
        { name: 'trace', value: 'b' },
        { name: 'none', value: null },
        { name: 'bin', valueBase64: '/g==' },
      ],
    });
    expect(records[1]).toEqual({
      topic: 'rb-http',
      partition: 0,
      offset: 1,
      timestamp: expect.any(Number),
      key: 'plain',
      value: null,
      headers: { h: 'text' },
    });
    // HTTP → Kafka → HTTP: what Kafka read, produced again through Kafka, reads over HTTP as the original did.
    await broker.client.createTopic({ name: 'rb-http-back', partitions: 1 });
    await produce('rb-http-back', [asBytes(first!), asBytes(second!)]);
    const back = (await broker.client.read('rb-http-back', 0, { offset: 0, maxRecords: 10 })).records;
    const view = (r: (typeof records)[number]) => ({ ...r, topic: undefined, timestamp: undefined });
    expect(back.map(view)).toEqual(records.slice(0, 2).map(view));
    // A key with a NUL (text PostgreSQL cannot hold) is kept too, and still reads as text.
    await broker.client.produce('rb-http', [{ key: 'nul\u0000key', value: 1 }]);
    const [nul] = (await broker.client.read('rb-http', 0, { offset: 2, maxRecords: 1 })).records;
    expect(nul).toMatchObject({ key: 'nul\u0000key', value: 1 });
    expect((await fetchRecords('rb-http', 2))[0]!.key).toEqual(Buffer.from('nul\u0000key'));
    // Kafka's partitioner hashes the key's bytes: a binary key lands where murmur2 of its bytes says.
    await broker.client.createTopic({ name: 'rb-http-keys', partitions: 7 });
    const { offsets: positions } = await broker.client.produce('rb-http-keys', [
      { keyBase64: key.toString('base64'), value: 1 },
      { keyBase64: Buffer.from('customer-7').toString('base64'), value: 2 },
      { key: 'customer-7', value: 3 },
    ]);
    expect(positions[1]!.partition).toBe(positions[2]!.partition);
    const producer = kafka.producer();
    await producer.connect();
    try {
      const sent = await producer.send({ topic: 'rb-http-keys', messages: [{ key, value: 'x' }] });
      expect(sent[0]!.partition).toBe(positions[0]!.partition);
    } finally {
      await producer.disconnect();
    }
  });

  it('keeps the bytes of a scheduled record: listed in the new shapes, appended exactly when due', async () => {
    await broker.client.createTopic({ name: 'rb-later', partitions: 1 });
    const key = Buffer.from([0x80, 0x81]);
    const headerList = [
      { name: 'x', value: null },
      { name: 'x', valueBase64: Buffer.from([0xff]).toString('base64') },
    ];
    const record = { keyBase64: key.toString('base64'), tombstone: true, headerList };
    const far = Date.now() + 86_400_000;
    const { offsets } = await broker.client.produce('rb-later', [
      { ...record, deliverAt: far },
      { ...record, delayMs: 1 },
    ]);
    const listed = (await (await fetch(`${broker.url}/v1/topics/rb-later/scheduled-records`)).json()) as {
      scheduledRecords: unknown[];
    };
    expect(listed.scheduledRecords).toContainEqual({
      id: offsets[0]!.scheduledId,
      topic: 'rb-later',
      partition: 0,
      deliverAt: far,
      keyBase64: key.toString('base64'),
      tombstone: true,
      headers: {},
      headerList,
      idempotencyKey: null,
    });
    let appended: KafkaRecord[] = [];
    await until(async () => (appended = await fetchRecords('rb-later', 0)).length === 1);
    expect(asBytes(appended[0]!)).toEqual({
      key,
      value: null,
      headers: [
        { name: 'x', value: null },
        { name: 'x', value: Buffer.from([0xff]) },
      ],
    });
  });

  it('refuses bad new shapes with INVALID_RECORD and writes nothing', async () => {
    await broker.client.createTopic({ name: 'rb-bad', partitions: 1 });
    const bad: unknown[] = [
      { key: 'a', keyBase64: 'AA==', value: 1 },
      { keyBase64: 'not base64', value: 1 },
      { tombstone: true, value: 1 },
      { tombstone: 'yes' },
      { tombstone: false },
      { value: 1, headers: { a: 'b' }, headerList: [] },
      { value: 1, headerList: {} },
      { value: 1, headerList: [{ name: 'a', value: 'b', valueBase64: 'AA==' }] },
      { value: 1, headerList: [{ name: 'a', value: 3 }] },
      { value: 1, headerList: [{ value: 'a' }] },
      { value: 1, headerList: [{ name: 'a', extra: 1 }] },
    ];
    for (const record of bad) {
      const answer = await fetch(`${broker.url}/v1/topics/rb-bad/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ records: [{ value: 'fine' }, record] }),
      });
      expect({ record, status: answer.status }).toEqual({ record, status: 400 });
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('INVALID_RECORD');
    }
    expect((await broker.client.describeTopic('rb-bad')).partitions[0]!.endOffset).toBe(0);
  });

  it('reads back any record byte for byte: Kafka Fetch, a KafkaJS consumer group, HTTP, the share fetch and the DLQ copy', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 6 }), async (sent) => {
        const base = await produce(SOURCE, sent);
        const offsets = sent.map((_, i) => base + i);

        // Kafka Fetch: exact bytes, headers in order.
        expect((await fetchRecords(SOURCE, base)).slice(0, sent.length).map(asBytes)).toEqual(sent);

        // KafkaJS consumer group.
        await until(() => offsets.every((o) => consumed.has(o)));
        expect(offsets.map((o) => consumed.get(o))).toEqual(
          sent.map((r) => ({ key: r.key, value: r.value, headers: kafkaJsHeaders(r.headers) })),
        );

        // HTTP read.
        const { records } = await broker.client.read(SOURCE, 0, { offset: base, maxRecords: sent.length });
        expect(records.map(bytesOfHttp)).toEqual(sent.map(httpExpected));

        // HTTP share fetch, then reject all: the DLQ copy keeps the bytes and adds shoal.dlq.* headers.
        const acquired: WireRecord[] = [];
        await until(async () => {
          const answer = await broker.client.shareFetch(SHARE, memberId, { maxRecords: 50 });
          acquired.push(...answer.records);
          if (answer.records.length > 0)
            await broker.client.acknowledge(
              SHARE,
              memberId,
              answer.records.map((r) => ({ topic: SOURCE, partition: 0, offset: r.offset, type: 'reject' as const })),
            );
          return offsets.every((o) => acquired.some((r) => r.offset === o));
        });
        const shared = offsets.map((o) => acquired.find((r) => r.offset === o)!);
        expect(shared.map(bytesOfHttp)).toEqual(sent.map(httpExpected));
        await until(async () => {
          const dead = await fetchRecords(DLQ, 0);
          const copies = offsets.map((o) =>
            dead.find((r) => r.headers.some((h) => h.key === 'shoal.dlq.offset' && h.value?.toString() === String(o))),
          );
          if (copies.some((c) => c === undefined)) return false;
          expect(
            copies.map((c) => {
              const b = asBytes(c!);
              return { ...b, headers: b.headers.filter((h) => !h.name.startsWith('shoal.dlq.')) };
            }),
          ).toEqual(sent.map((r) => ({ ...r, headers: r.headers.filter((h) => !h.name.startsWith('shoal.dlq.')) })));
          return true;
        });
      }),
      {
        numRuns: 25,
        // Found by a random run: JSON text after whitespace was stored as bytes.
        examples: [
          [
            [
              { key: null, value: Buffer.from(' 0'), headers: [] },
              { key: null, value: null, headers: [] },
            ],
          ],
        ],
      },
    );
    // The mapping itself: a stored record read back through kafkaRecordOf keeps a tombstone null.
    expect(kafkaRecordOf({ offset: 0, timestamp: 0, key: null, value: null, headers: null, size: 0 }).value).toBeNull();
  });
});
