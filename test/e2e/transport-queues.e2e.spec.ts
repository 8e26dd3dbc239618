import { Logger } from '@nestjs/common';
import { ShoalHttpClient } from '@shoal/client';
import type { JsonValue } from '@shoal/protocol';
import { MAX_RELEASE_DELAY_MS, ShoalClient, ShoalProcessor, ShoalServer } from '@shoal/transport';
import { lastValueFrom } from 'rxjs';
import { AckFlusher } from '../../libs/transport/src/server/ack-flusher.js';
import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { startTransportApp } from '../support/transport-apps.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';
import {
  spawnFixture,
  spawnWorker,
  startsById,
  type WorkerEvent,
  type WorkerProcess,
} from '../support/worker-process.js';

const TWO_QUEUES = 'dist/test/fixtures/two-queue-worker.js';

const done = (events: WorkerEvent[], topic?: string) =>
  events.filter((e) => e.event === 'done' && (topic === undefined || e.topic === topic)).length;

describe(ShoalServer.name, () => {
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

  async function jobs(values: JsonValue[], partitions = 1): Promise<{ topic: string; group: string }> {
    const topic = `queue-jobs-${++n}`;
    await broker.client.createTopic({ name: topic, partitions });
    await broker.client.produce(
      topic,
      values.map((value) => ({ value })),
    );
    return { topic, group: `queue-workers-${n}` };
  }

  async function start(worker: Promise<WorkerProcess>): Promise<WorkerProcess> {
    const started = await worker;
    workers.push(started);
    return started;
  }

  /** The in-flight record at `offset` of partition 0. */
  async function inFlight(group: string, topic: string, offset: number) {
    const { records } = await broker.client.shareInFlight(group, topic, 0, { offset, maxRecords: 1 });
    return records.find((r) => r.offset === offset);
  }

  describe(ShoalProcessor.name, () => {
    it('runs two queues of one app in their own groups, each job once in its own group', async () => {
      const id = ++n;
      const emails = `emails-${id}`;
      const reports = `reports-${id}`;
      const [mailers, reporters] = [`mailers-${id}`, `reporters-${id}`];
      // Default settings, the broker's URL given once to ShoalModule.forRoot; the worker creates the topics.
      const app = await start(
        spawnFixture(TWO_QUEUES, {
          SHOAL_URL: broker.url,
          EMAILS_TOPIC: emails,
          REPORTS_TOPIC: reports,
          EMAILS_GROUP: mailers,
          REPORTS_GROUP: reporters,
        }),
      );
      await broker.client.produce(
        emails,
        Array.from({ length: 30 }, (_, i) => ({ value: { id: i } })),
      );
      // Report 9 fails: its handler has `attempts: 1`, so it runs once and is rejected.
      await broker.client.produce(
        reports,
        Array.from({ length: 10 }, (_, i) => ({ value: { id: i, fail: i === 9 } })),
      );
      await until(() => done(app.events, emails) === 30 && done(app.events, reports) === 9, 30_000);
      await until(async () => (await broker.client.describeShareGroup(reporters)).partitions[0]?.startOffset === 10);
      await until(async () => (await broker.client.describeShareGroup(mailers)).partitions[0]?.startOffset === 30);

      const starts = (topic: string) => startsById(app.events.filter((e) => e.topic === topic));
      expect([...starts(emails).entries()].sort(([a], [b]) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => [i, 1]),
      );
      expect([...starts(reports).entries()].sort(([a], [b]) => a - b)).toEqual(
        Array.from({ length: 10 }, (_, i) => [i, 1]),
      );
      // Each group reads its own topic only, with its own settings.
      const [m, r] = await Promise.all([
        broker.client.describeShareGroup(mailers),
        broker.client.describeShareGroup(reporters),
      ]);
      expect(m.partitions.map((p) => p.topic)).toEqual([emails]);
      expect(r.partitions.map((p) => p.topic)).toEqual([reports]);
      expect(m.members.flatMap((member) => member.assignment.map((a) => a.topic))).toEqual([emails]);
      expect(r.members.flatMap((member) => member.assignment.map((a) => a.topic))).toEqual([reports]);
      expect(m.config.deliveryCountLimit).toBe(3);
      expect(r.config.recordLockDurationMs).toBe(20_000);
      expect(await inFlight(reporters, reports, 9)).toBeUndefined(); // archived: below the start offset
      expect(app.log()).not.toContain('refused');
    }, 60_000);
  });

  describe('fair prefetch', () => {
    it('splits a backlog of 100 one-second jobs about evenly with a second worker that joins a second later', async () => {
      const { topic, group } = await jobs(Array.from({ length: 100 }, (_, id) => ({ id })));
      const first = await start(
        spawnWorker({ url: broker.url, topic, group, workMs: 1_000, options: { concurrency: 1 } }),
      );
      await until(() => done(first.events) >= 1, 10_000);
      const second = await start(
        spawnWorker({ url: broker.url, topic, group, workMs: 1_000, options: { concurrency: 1 } }),
      );
      let mostHeld = 0;
      await until(async () => {
        const [partition] = (await broker.client.describeShareGroup(group)).partitions;
        mostHeld = Math.max(mostHeld, partition?.acquired ?? 0);
        return done(first.events) + done(second.events) === 100;
      }, 90_000);
      // No worker holds a job it cannot start: at most one each.
      expect(mostHeld).toBeLessThanOrEqual(2);
      const [a, b] = [done(first.events), done(second.events)];
      expect(Math.min(a, b)).toBeGreaterThanOrEqual(40);
      expect([...startsById([...first.events, ...second.events]).values()]).toEqual(Array(100).fill(1));
    }, 120_000);

    it('closed right after its last job, has every job accepted (the acks of the fetch it aborts are sent again)', async () => {
      const { topic, group } = await jobs(
        Array.from({ length: 2_000 }, (_, id) => ({ id })),
        2,
      );
      let handled = 0;
      let last!: () => void;
      const allHandled = new Promise<void>((resolve) => (last = resolve));
      const app = await startTransportApp(topic, { url: broker.url, mode: 'share', group, concurrency: 50 }, () => {
        if (++handled === 2_000) last();
      });
      await allHandled;
      // Close while the fetch carrying the last accepts is on its way, as a worker stopped a
      // moment after its last job does.
      for (let turns = 0; turns < 3; turns++) await new Promise((resolve) => setImmediate(resolve));
      await app.close();
      const { partitions } = await broker.client.describeShareGroup(group);
      expect(partitions.reduce((sum, p) => sum + p.startOffset, 0)).toBe(2_000);
    }, 60_000);

    it('at SIGTERM holds no record it has not started, so the others keep their first delivery', async () => {
      const { topic, group } = await jobs(Array.from({ length: 12 }, (_, id) => ({ id })));
      const worker = await start(
        spawnWorker({ url: broker.url, topic, group, workMs: 2_000, options: { concurrency: 2 } }),
      );
      await until(() => worker.events.filter((e) => e.event === 'start').length === 2);
      expect((await broker.client.describeShareGroup(group)).partitions[0]?.acquired).toBe(2);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(done(worker.events)).toBe(2);
      const next = await start(spawnWorker({ url: broker.url, topic, group, options: { concurrency: 2 } }));
      await until(() => done(next.events) === 10, 20_000);
      // Every job ran once, on its first delivery.
      expect([...next.events, ...worker.events].filter((e) => e.event === 'start').map((e) => e.delivery)).toEqual(
        Array(12).fill(1),
      );
    }, 60_000);
  });

  describe('retries', () => {
    it('cuts a 48-hour retry delay to the broker’s 24 h, and the rest of the batch is accepted', async () => {
      const { topic, group } = await jobs([{ id: 0, fail: 'retry-in-48h' }, { id: 1 }, { id: 2 }, { id: 3 }]);
      const worker = await start(spawnWorker({ url: broker.url, topic, group }));
      await until(() => done(worker.events) === 3);
      const before = Date.now();
      await until(async () => (await inFlight(group, topic, 0))?.state === 'available', 5_000);
      const record = await inFlight(group, topic, 0);
      // Released with the longest delay the broker takes: back in 24 h, not refused.
      expect(record).toMatchObject({ state: 'available', deliveryCount: 1 });
      expect(record!.availableAt).toBeGreaterThan(before + MAX_RELEASE_DELAY_MS - 30_000);
      expect(record!.availableAt).toBeLessThanOrEqual(Date.now() + MAX_RELEASE_DELAY_MS);
      await until(async () => {
        const [partition] = (await broker.client.describeShareGroup(group)).partitions;
        return partition?.acknowledged === 3 && partition.acquired === 0;
      }, 5_000);
      expect(worker.log()).toContain('cut from 172800000 ms to the broker');
      expect(worker.log()).not.toContain('refused');
    }, 30_000);

    it('with attempts: 1 runs a failing job once and rejects it, while the others run', async () => {
      const { topic, group } = await jobs([{ id: 0, fail: 'error' }, { id: 1 }]);
      const worker = await start(spawnWorker({ url: broker.url, topic, group, options: { attempts: 1 } }));
      await until(async () => (await broker.client.describeShareGroup(group)).partitions[0]?.startOffset === 2);
      expect(startsById(worker.events)).toEqual(
        new Map([
          [0, 1],
          [1, 1],
        ]),
      );
      const [partition] = (await broker.client.describeShareGroup(group)).partitions;
      expect(partition).toMatchObject({ startOffset: 2, available: 0, acquired: 0 });
    }, 30_000);

    it('drops an acknowledgement the broker refuses and applies the others of its request', async () => {
      const { topic, group } = await jobs([{ id: 0 }, { id: 1 }, { id: 2 }]);
      const http = new ShoalHttpClient({ url: broker.url });
      const logger = new Logger('refused-ack');
      const errors: string[] = [];
      logger.error = (message: unknown) => void errors.push(String(message));
      try {
        await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest' });
        const { memberId } = await http.joinShareGroup(group, { topics: [topic] });
        const { records } = await http.shareFetch(group, memberId, { maxRecords: 3, maxWaitMs: 1_000 });
        expect(records).toHaveLength(3);
        const flusher = new AckFlusher((acks) => http.acknowledge(group, memberId, acks), 10_000, logger);
        flusher.add({ topic, partition: 0, offset: 0, type: 'accept' });
        // A delay past the broker's most: the whole request is refused with 400.
        flusher.add({ topic, partition: 0, offset: 1, type: 'release', delayMs: 2 * MAX_RELEASE_DELAY_MS });
        flusher.add({ topic, partition: 0, offset: 2, type: 'reject' });
        await flusher.flush();
        flusher.stop();
        // The accept and the reject applied (the start offset past the accepted one), the release not.
        expect((await inFlight(group, topic, 1))?.state).toBe('acquired');
        expect((await inFlight(group, topic, 2))?.state).toBe('archived');
        const [partition] = (await broker.client.describeShareGroup(group)).partitions;
        expect(partition).toMatchObject({ startOffset: 1, acquired: 1 });
        expect(errors).toEqual([expect.stringContaining(`release of ${topic}/0@1 refused by the broker, dropped`)]);
      } finally {
        await http.close();
      }
    }, 30_000);
  });

  describe('autoCreateTopics', () => {
    it('creates a worker’s missing topic and its dead-letter topic at start, with the partitions asked for', async () => {
      const topic = `created-${++n}`;
      const worker = await start(
        spawnWorker({
          url: broker.url,
          topic,
          group: `created-workers-${n}`,
          options: { autoCreateTopics: { partitions: 2 }, groupConfig: { deadLetterTopic: `${topic}-dlq` } },
        }),
      );
      expect((await broker.client.describeTopic(topic)).partitions).toHaveLength(2);
      expect((await broker.client.describeTopic(`${topic}-dlq`)).partitions).toHaveLength(2);
      await broker.client.produce(topic, [{ value: { id: 7, fail: 'reject' } }]);
      await until(async () => {
        const { partitions } = await broker.client.describeTopic(`${topic}-dlq`);
        return partitions.reduce((sum, p) => sum + p.endOffset, 0) === 1;
      });
      expect(startsById(worker.events)).toEqual(new Map([[7, 1]]));
    }, 30_000);

    it('creates the topic of a client’s first emit to it', async () => {
      const topic = `emitted-${++n}`;
      const client = new ShoalClient({ url: broker.url, autoCreateTopics: { partitions: 3 } });
      try {
        const positions = await Promise.all([1, 2].map((id) => lastValueFrom(client.emit(topic, { id }))));
        expect(positions).toHaveLength(2);
        expect((await broker.client.describeTopic(topic)).partitions).toHaveLength(3);
      } finally {
        await client.close();
      }
      const plain = new ShoalClient({ url: broker.url });
      try {
        await expect(lastValueFrom(plain.emit(`never-${n}`, {}))).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC' });
      } finally {
        await plain.close();
      }
    });
  });
});
