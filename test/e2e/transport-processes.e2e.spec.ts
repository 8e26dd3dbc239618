import { ShoalClient, ShoalRecordBuilder } from '@shoal/transport';
import { lastValueFrom } from 'rxjs';
import { type BrokerProcess, freePort, spawnBroker } from '../support/broker-process.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { spawnWorker, startsById, type WorkerProcess } from '../support/worker-process.js';
import { sleep, until } from '../support/until.js';

/** A counter of the broker's /metrics for one group, 0 when the series does not exist. */
async function groupCounter(url: string, name: string, group: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(`group="${group}"`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('ShoalServer workers in their own processes', () => {
  let storage: TestStorage;
  let broker: BrokerProcess;
  const workers: WorkerProcess[] = [];
  let n = 0;

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await spawnBroker(storage.storage.url);
  });
  afterEach(() => {
    for (const worker of workers.splice(0)) worker.child.kill('SIGKILL');
  });
  afterAll(async () => {
    broker.child.kill('SIGKILL');
    await storage.dispose();
  });

  async function jobs(count: number, partitions = 1): Promise<{ topic: string; group: string }> {
    const topic = `long-jobs-${++n}`;
    await broker.client.createTopic({ name: topic, partitions });
    for (let first = 0; first < count; first += 5_000)
      await broker.client.produce(
        topic,
        Array.from({ length: Math.min(5_000, count - first) }, (_, i) => ({ value: { id: first + i } })),
      );
    return { topic, group: `long-workers-${n}` };
  }

  async function start(spec: Parameters<typeof spawnWorker>[0]): Promise<WorkerProcess> {
    const worker = await spawnWorker(spec);
    workers.push(worker);
    return worker;
  }

  it('runs 110 jobs of 4 s under every default setting once each, with no lock timeout', async () => {
    // Queued before the first worker: the worker starts the new group at the earliest offset.
    const { topic, group } = await jobs(110);
    const worker = await start({ url: broker.url, topic, group, workMs: 4_000 });
    await until(() => worker.events.filter((e) => e.event === 'done').length === 110, 80_000);
    await until(async () => (await broker.client.describeShareGroup(group)).partitions[0]?.startOffset === 110, 5_000);
    const starts = startsById(worker.events);
    expect(starts.size).toBe(110);
    expect([...starts.values()].filter((count) => count > 1)).toEqual([]);
    expect(await groupCounter(broker.url, 'shoal_share_lock_timeouts_total', group)).toBe(0);
    expect(worker.log()).not.toContain('refused');
  }, 100_000);

  it('keeps a backlog longer than the lock duration at low concurrency without running a job twice', async () => {
    const { topic, group } = await jobs(16);
    const worker = await start({
      url: broker.url,
      topic,
      group,
      workMs: 1_000,
      options: { concurrency: 2, groupConfig: { recordLockDurationMs: 3_000 } },
    });
    await until(() => worker.events.filter((e) => e.event === 'done').length === 16, 30_000);
    expect([...startsById(worker.events).values()]).toEqual(Array(16).fill(1));
    expect(await groupCounter(broker.url, 'shoal_share_lock_timeouts_total', group)).toBe(0);
    expect((await broker.client.describeShareGroup(group)).config.recordLockDurationMs).toBe(3_000);
  }, 40_000);

  it('drains a backlog of 20,000 fast jobs under every default but concurrency 50 once each, none refused', async () => {
    // Full answers and idle handlers: two fetches in flight, accepts sent as ranges.
    const { topic, group } = await jobs(20_000, 4);
    const worker = await start({ url: broker.url, topic, group, options: { concurrency: 50 } });
    await until(() => worker.events.filter((e) => e.event === 'done').length >= 20_000, 60_000);
    await until(async () => {
      const { partitions } = await broker.client.describeShareGroup(group);
      return partitions.reduce((sum, p) => sum + p.startOffset, 0) === 20_000;
    }, 10_000);
    const starts = startsById(worker.events);
    expect(starts.size).toBe(20_000);
    expect([...starts.values()].filter((count) => count > 1)).toEqual([]);
    expect(worker.log()).not.toContain('refused');
  }, 90_000);

  it('holds at most max(concurrency + batchSize, 2 × batchSize) records while slow jobs drain', async () => {
    const { topic, group } = await jobs(120);
    const worker = await start({
      url: broker.url,
      topic,
      group,
      workMs: 100,
      options: { concurrency: 5, batchSize: 10 },
    });
    let most = 0;
    while (worker.events.filter((e) => e.event === 'done').length < 120) {
      const [partition] = (await broker.client.describeShareGroup(group)).partitions;
      most = Math.max(most, partition?.acquired ?? 0);
      await sleep(10);
    }
    expect(most).toBeGreaterThanOrEqual(10);
    expect(most).toBeLessThanOrEqual(20);
    expect([...startsById(worker.events).values()]).toEqual(Array(120).fill(1));
  }, 40_000);

  it('runs 300 jobs of 4 s at concurrency 50 under the default fetch batch once each, with no lock timeout', async () => {
    // A backlog held well past half the 30 s lock: the renewals must keep every waiting record.
    const { topic, group } = await jobs(300);
    const worker = await start({ url: broker.url, topic, group, workMs: 4_000, options: { concurrency: 50 } });
    await until(() => worker.events.filter((e) => e.event === 'done').length === 300, 60_000);
    const starts = startsById(worker.events);
    expect(starts.size).toBe(300);
    expect([...starts.values()].filter((count) => count > 1)).toEqual([]);
    expect(await groupCounter(broker.url, 'shoal_share_lock_timeouts_total', group)).toBe(0);
    expect(worker.log()).not.toContain('refused');
  }, 70_000);

  it('on SIGTERM releases the prefetched records at once and lets the running handlers finish', async () => {
    const { topic, group } = await jobs(20);
    const worker = await start({
      url: broker.url,
      topic,
      group,
      workMs: 3_000,
      options: { concurrency: 2, prefetch: 100 },
    });
    await until(() => worker.events.filter((e) => e.event === 'start').length === 2);
    await until(async () => (await broker.client.describeShareGroup(group)).partitions[0]?.acquired === 20);
    worker.child.kill('SIGTERM');
    await until(async () => (await broker.client.describeShareGroup(group)).partitions[0]?.available === 18, 10_000);
    // The 18 queued records were back before either running handler had finished.
    expect(worker.events.filter((e) => e.event === 'done')).toEqual([]);
    // Nest's shutdown hook closes the app, then ends the process with the signal it got.
    expect(await worker.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(worker.events.filter((e) => e.event === 'done')).toHaveLength(2);
    const described = await broker.client.describeShareGroup(group);
    expect(described.members).toEqual([]);
    expect(described.partitions[0]).toMatchObject({ startOffset: 2, acquired: 0, available: 18 });
    // Released as never delivered: the next member gets them as a first delivery.
    const { memberId } = await broker.client.joinShareGroup(group, { topics: [topic] });
    const { records } = await broker.client.shareFetch(group, memberId, { maxRecords: 100, maxWaitMs: 0 });
    expect(records.map((r) => [r.offset, r.deliveryCount])).toEqual(Array.from({ length: 18 }, (_, i) => [i + 2, 1]));
  }, 40_000);

  it.each([1_000, 300])(
    'stores 2,000 keyed emits made before any connect in emit order per key (batches of %i)',
    async (maxBatchRecords) => {
      const topic = `ordered-${++n}`;
      await broker.client.createTopic({ name: topic, partitions: 8 });
      const client = new ShoalClient({ url: broker.url, maxBatchRecords });
      const emitted = Array.from({ length: 2_000 }, (_, seq) => {
        const key = `k${seq % 37}`;
        return lastValueFrom(client.emit(topic, new ShoalRecordBuilder({ key, seq }).setKey(key).build()));
      });
      await Promise.all(emitted);
      await client.close();
      const lastSeq = new Map<string, number>();
      let inversions = 0;
      let stored = 0;
      for (let partition = 0; partition < 8; partition++) {
        const { records } = await broker.client.read(topic, partition, { offset: 0, maxRecords: 5_000 });
        for (const record of records) {
          const { key, seq } = record.value as { key: string; seq: number };
          if (seq < (lastSeq.get(key) ?? -1)) inversions++;
          lastSeq.set(key, seq);
          stored++;
        }
      }
      expect(stored).toBe(2_000);
      expect(inversions).toBe(0);
    },
  );
});

describe('a share worker whose broker is killed and restarted', () => {
  let storage: TestStorage;

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
  });
  afterAll(() => storage.dispose());

  it('logs the failure with its backoff, recovers by itself and loses no job', async () => {
    const port = await freePort();
    let broker = await spawnBroker(storage.storage.url, port);
    await broker.client.createTopic({ name: 'restarted', partitions: 1 });
    await broker.client.produce(
      'restarted',
      Array.from({ length: 40 }, (_, id) => ({ value: { id } })),
    );
    const worker = await spawnWorker({
      url: broker.url,
      topic: 'restarted',
      group: 'survivors',
      workMs: 200,
      options: { concurrency: 2 },
    });
    try {
      await until(() => worker.events.filter((e) => e.event === 'done').length >= 10);
      broker.child.kill('SIGKILL');
      await until(() => worker.log().includes('retrying in'), 20_000);
      broker = await spawnBroker(storage.storage.url, port);
      await until(
        async () => (await broker.client.describeShareGroup('survivors')).partitions[0]?.startOffset === 40,
        60_000,
      );
      const done = new Set(worker.events.filter((e) => e.event === 'done').map((e) => e.id));
      expect(done.size).toBe(40);
      // The error names the route and the broker, and the worker says when it is back.
      expect(worker.log()).toMatch(
        new RegExp(
          `POST /v1/share-groups/survivors/members/[^ ]+/fetch to http://127\\.0\\.0\\.1:${port} failed after \\d+ attempts: .*ECONNREFUSED`,
        ),
      );
      await until(() => worker.log().includes('broker reachable again'), 20_000);
    } finally {
      worker.child.kill('SIGKILL');
      broker.child.kill('SIGKILL');
    }
  }, 90_000);
});
