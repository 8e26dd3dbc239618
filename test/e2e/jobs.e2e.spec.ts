import { createServer, type Server, type Socket, connect } from 'node:net';
import { ShoalHttpClient } from '@shoal/client';
import { systemClock } from '../../src/platform/clock.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { failure, rawRequest } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';
import { sleep, until } from '../support/until.js';

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1];

describe.each(STORAGE_KINDS)('Job-queue features over HTTP on %s', (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  let n = 0;
  const name = (what: string) => `${what}-${kind}-${++n}`;

  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage), systemClock);
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('schedules, lists, cancels and appends delayed records; refuses bad scheduling fields', async () => {
    const topic = name('http-delayed');
    await broker.client.createTopic({ name: topic, partitions: 1 });
    const at = Date.now() + 60_000;
    const answer = await rawRequest(
      `${broker.url}/v1/topics/${topic}/records`,
      'POST',
      JSON.stringify({
        records: [
          { value: 'soon', delayMs: 300 },
          { value: 'later', deliverAt: at },
        ],
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.offsets[1]).toEqual({
      partition: 0,
      offset: -1,
      scheduledId: expect.any(String),
      deliverAt: at,
    });
    const listed = await rawRequest(`${broker.url}/v1/topics/${topic}/scheduled-records`, 'GET');
    expect(listed.body.scheduledRecords.map((r: { value: string }) => r.value)).toEqual(['soon', 'later']);
    const id = answer.body.offsets[1].scheduledId as string;
    expect((await rawRequest(`${broker.url}/v1/topics/${topic}/scheduled-records/${id}`, 'DELETE')).status).toBe(204);
    const again = await rawRequest(`${broker.url}/v1/topics/${topic}/scheduled-records/${id}`, 'DELETE');
    expect([again.status, again.body.error.code]).toEqual([404, 'UNKNOWN_SCHEDULED_RECORD']);
    const read = await broker.client.read(topic, 0, { offset: 0, maxWaitMs: 5_000 });
    expect(read.records.map((r) => r.value)).toEqual(['soon']);

    for (const bad of [
      { value: 1, delayMs: 10, deliverAt: at },
      { value: 1, delayMs: -1 },
      { value: 1, idempotencyKey: '' },
    ]) {
      const refused = await rawRequest(
        `${broker.url}/v1/topics/${topic}/records`,
        'POST',
        JSON.stringify({ records: [bad] }),
      );
      expect([refused.status, refused.body.error.code]).toEqual([400, 'INVALID_RECORD']);
    }
  });

  it('appends due records at their time, never before (p99 late by under 1 s on a busy machine)', async () => {
    const topic = name('http-due');
    await broker.client.createTopic({ name: topic, partitions: 2 });
    const start = Date.now() + 300;
    const records = Array.from({ length: 200 }, (_, i) => ({ value: i, deliverAt: start + i * 10 }));
    await broker.client.produce(topic, records);
    // Read once afterwards: polling meanwhile would load the process whose timing is measured.
    await sleep(start + 200 * 10 + 500 - Date.now());
    const lateness: number[] = [];
    await until(async () => {
      lateness.length = 0;
      for (const partition of [0, 1]) {
        const read = await broker.client.read(topic, partition, { offset: 0, maxRecords: 1_000 });
        for (const r of read.records) lateness.push(r.timestamp - records[r.value as number].deliverAt);
      }
      return lateness.length === 200;
    }, 20_000);
    // Never before its time. The scheduler looks every 25 ms; its target, p99 lateness under 100 ms, is measured
    // by `npm run bench` (bench/scheduled.bench.ts, the broker in its own process: p99 35 ms at load average 15).
    // Here the brokers share the jest process: the bound leaves room for a loaded 2-core machine, while a
    // scheduler that missed its ticks or waited for a read would still exceed it.
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(p99(lateness)).toBeLessThan(1_000);
  });

  it('runs the schedule routes: create, list, describe with next runs, pause, resume, delete, and their errors', async () => {
    const topic = name('http-cron');
    await broker.client.createTopic({ name: topic, partitions: 1 });
    const created = await rawRequest(
      `${broker.url}/v1/schedules`,
      'POST',
      JSON.stringify({
        name: `nightly-${kind}`,
        topic,
        cron: '0 3 * * *',
        timezone: 'America/New_York',
        record: { value: 'x' },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: `nightly-${kind}`, topic, paused: false, lastRunAt: null });
    const described = await rawRequest(`${broker.url}/v1/schedules/nightly-${kind}`, 'GET');
    expect(described.body.nextRuns).toHaveLength(5);
    expect(described.body.nextRuns[1] - described.body.nextRuns[0]).toBeGreaterThanOrEqual(23 * 3_600_000);
    expect((await rawRequest(`${broker.url}/v1/schedules/nightly-${kind}/pause`, 'POST')).body.nextRunAt).toBeNull();
    expect((await rawRequest(`${broker.url}/v1/schedules/nightly-${kind}/resume`, 'POST')).body.paused).toBe(false);
    expect((await rawRequest(`${broker.url}/v1/schedules`, 'GET')).body.schedules).toContainEqual(
      expect.objectContaining({ name: `nightly-${kind}` }),
    );
    expect((await rawRequest(`${broker.url}/v1/schedules/nightly-${kind}`, 'DELETE')).status).toBe(204);
    const gone = await rawRequest(`${broker.url}/v1/schedules/nightly-${kind}`, 'GET');
    expect([gone.status, gone.body.error.code]).toEqual([404, 'UNKNOWN_SCHEDULE']);
    for (const [body, status, code] of [
      [{ name: 'a', topic, cron: '0 3 * * *', everyMs: 1000, record: { value: 1 } }, 400, 'INVALID_REQUEST'],
      [{ name: 'a', topic, cron: 'sometimes', record: { value: 1 } }, 400, 'INVALID_REQUEST'],
      [{ name: 'a b', topic, everyMs: 1000, record: { value: 1 } }, 400, 'INVALID_NAME'],
      [{ name: 'a', topic: 'nowhere-x', everyMs: 1000, record: { value: 1 } }, 404, 'UNKNOWN_TOPIC'],
      [{ name: 'a', topic, everyMs: 1000, record: { value: 1, delayMs: 5 } }, 400, 'INVALID_REQUEST'],
    ] as const) {
      const refused = await rawRequest(`${broker.url}/v1/schedules`, 'POST', JSON.stringify(body));
      expect([refused.status, refused.body.error.code]).toEqual([status, code]);
    }
  });

  it('appends an everyMs schedule at each tick', async () => {
    const topic = name('http-every');
    await broker.client.createTopic({ name: topic, partitions: 1 });
    await rawRequest(
      `${broker.url}/v1/schedules`,
      'POST',
      JSON.stringify({ name: `every-${kind}`, topic, everyMs: 1_000, record: { value: 'beat' } }),
    );
    await until(async () => (await broker.client.read(topic, 0, { offset: 0 })).records.length >= 2, 10_000);
    await rawRequest(`${broker.url}/v1/schedules/every-${kind}`, 'DELETE');
    const ticks = (await broker.client.read(topic, 0, { offset: 0 })).records.map((r) =>
      Number(r.headers['shoal.schedule.tick']),
    );
    expect(ticks[1] - ticks[0]).toBe(1_000);
  });

  it('writes once when a produce with idempotency keys is retried after its answer was lost', async () => {
    const topic = name('http-idem');
    await broker.client.createTopic({ name: topic, partitions: 3 });
    const proxy = await answerDroppingProxy(new URL(broker.url).port, 1);
    const client = new ShoalHttpClient({ url: proxy.url, retry: { minDelayMs: 10, maxDelayMs: 50 } });
    try {
      const records = [
        { key: 'a', value: 1, idempotencyKey: 'pay-1' },
        { key: 'b', value: 2, idempotencyKey: 'pay-2' },
      ];
      const answer = await client.produce(topic, records);
      expect(proxy.dropped()).toBe(1);
      expect(answer.offsets.every((o) => o.duplicate === true)).toBe(true);
      const described = await broker.client.describeTopic(topic);
      expect(described.partitions.reduce((sum, p) => sum + p.endOffset, 0)).toBe(2);
      // Without keys a produce whose answer was lost is not retried: it may have been appended.
      const plain = await answerDroppingProxy(new URL(broker.url).port, 1);
      const plainClient = new ShoalHttpClient({ url: plain.url, retry: { minDelayMs: 10, maxDelayMs: 50 } });
      await expect(plainClient.produce(topic, [{ value: 3 }])).rejects.toMatchObject({ maybeSent: true });
      await plainClient.close();
      plain.close();
    } finally {
      await client.close();
      proxy.close();
    }
  });

  it('takes priority and rate settings in the share-group config, and refuses bad ones', async () => {
    const group = name('http-flow');
    const high = name('http-high');
    await broker.client.createTopic({ name: high, partitions: 1 });
    const config = await broker.client.updateShareGroupConfig(group, {
      topicPriority: [high],
      lowerPriorityShare: 0.25,
      maxRecordsPerSecond: 100,
    });
    expect(config).toMatchObject({ topicPriority: [high], lowerPriorityShare: 0.25, maxRecordsPerSecond: 100 });
    for (const bad of [{ maxRecordsPerSecond: 0 }, { lowerPriorityShare: 1 }, { topicPriority: ['bad name'] }]) {
      const refused = await rawRequest(`${broker.url}/v1/share-groups/${group}/config`, 'PATCH', JSON.stringify(bad));
      expect(refused.status).toBe(400);
    }
    expect(await failure(broker.client.describeShareGroup(name('nobody')))).toEqual({
      status: 404,
      code: 'UNKNOWN_GROUP',
    });
  });
});

describe('Scheduled records with two brokers on one PostgreSQL', () => {
  it('appends each due record once, at its time (p99 late by under 1 s on a busy machine)', async () => {
    const storage = await createTestStorage('postgres');
    const a = await startBroker(testConfig(storage.storage), systemClock);
    const b = await startBroker(testConfig(storage.storage), systemClock);
    try {
      await a.client.createTopic({ name: 'two-brokers-due', partitions: 4 });
      const start = Date.now() + 500;
      const records = Array.from({ length: 400 }, (_, i) => ({ value: i, deliverAt: start + i * 5 }));
      await a.client.produce('two-brokers-due', records.slice(0, 200));
      await b.client.produce('two-brokers-due', records.slice(200));
      await sleep(start + 400 * 5 + 500 - Date.now());
      const seen: { value: number; timestamp: number }[] = [];
      await until(async () => {
        seen.length = 0;
        for (let p = 0; p < 4; p++)
          for (const r of (await a.client.read('two-brokers-due', p, { offset: 0, maxRecords: 1_000 })).records)
            seen.push({ value: r.value as number, timestamp: r.timestamp });
        return seen.length >= 400 && Date.now() > start + 2_500;
      }, 20_000);
      expect(seen.map((r) => r.value).sort((x, y) => x - y)).toEqual(records.map((r) => r.value));
      const lateness = seen.map((r) => r.timestamp - records[r.value].deliverAt);
      expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
      expect(p99(lateness)).toBeLessThan(1_000);
    } finally {
      await a.close();
      await b.close();
      await storage.dispose();
    }
  });
});

/** A TCP proxy to the broker that closes the connection instead of relaying the first `drops` answers. */
async function answerDroppingProxy(port: string, drops: number) {
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(Number(port), '127.0.0.1');
    sockets.add(upstream);
    client.pipe(upstream);
    const drop = dropped < drops;
    if (drop) dropped++;
    upstream.on('data', (chunk) => {
      if (drop) {
        client.destroy();
        upstream.destroy();
      } else client.write(chunk);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    dropped: () => dropped,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
