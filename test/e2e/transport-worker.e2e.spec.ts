import type { INestMicroservice } from '@nestjs/common';
import { ShoalRejectException, ShoalRetriableException, type ShoalServerOptions } from '@shoal/transport';
import { systemClock } from '../../src/platform/clock.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';
import { startTransportApp } from '../support/transport-apps.js';
import { sleep, until } from '../support/until.js';

describe('ShoalServer as a share-group worker', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  const apps: INestMicroservice[] = [];
  let n = 0;

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage), systemClock);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  async function setup(partitions: number, config: Record<string, unknown> = {}) {
    const topic = `tjobs-${++n}`;
    const group = `tworkers-${n}`;
    await broker.client.createTopic({ name: topic, partitions });
    await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest', ...config });
    const options: ShoalServerOptions = { url: broker.url, mode: 'share', group, maxWaitMs: 200, retryDelayMs: 10 };
    return { topic, group, options };
  }

  it('3 workers of concurrency 10 accept 5,000 jobs on 2 partitions, each exactly once', async () => {
    const { topic, group, options } = await setup(2);
    const handled = new Map<number, number>();
    for (let i = 0; i < 3; i++) {
      apps.push(
        await startTransportApp(
          topic,
          { ...options, concurrency: 10 },
          (data) =>
            void handled.set((data as { job: number }).job, (handled.get((data as { job: number }).job) ?? 0) + 1),
        ),
      );
    }
    for (let i = 0; i < 5_000; i += 500)
      await broker.client.produce(
        topic,
        Array.from({ length: 500 }, (_, j) => ({ value: { job: i + j } })),
      );
    await until(
      async () =>
        (await broker.client.describeShareGroup(group)).partitions.every((p) => p.lag === 0) && handled.size === 5_000,
    );
    expect([...handled.values()].every((count) => count === 1)).toBe(true);
    const described = await broker.client.describeShareGroup(group);
    expect(described.members).toHaveLength(3);
    expect(described.partitions.map((p) => p.startOffset).reduce((a, b) => a + b)).toBe(5_000);
  });

  it('redelivers a failing job with a rising delivery count and archives it at the limit', async () => {
    await broker.client.createTopic({ name: `tdlq-${n + 1}`, partitions: 1 });
    const { topic, options } = await setup(1, { deliveryCountLimit: 3, deadLetterTopic: `tdlq-${n + 1}` });
    const deliveries: number[] = [];
    apps.push(
      await startTransportApp(topic, options, (_data, context) => {
        deliveries.push(context.getDeliveryCount());
        throw new Error('always fails');
      }),
    );
    await broker.client.produce(topic, [{ value: 'poison' }]);
    await until(async () => (await broker.client.read(`tdlq-${n}`, 0)).records.length === 1);
    expect(deliveries).toEqual([1, 2, 3]);
    const [copy] = (await broker.client.read(`tdlq-${n}`, 0)).records;
    expect(copy.headers['shoal.dlq.reason']).toBe('delivery_limit');
    expect(copy.headers['shoal.dlq.error']).toBe('always fails');
  });

  it('rejects on ShoalRejectException and releases with the asked delay on ShoalRetriableException', async () => {
    const { topic, group, options } = await setup(1);
    const seen: string[] = [];
    apps.push(
      await startTransportApp(topic, options, (data, context) => {
        seen.push(`${data as string}#${context.getDeliveryCount()}`);
        if (data === 'bad') throw new ShoalRejectException('bad');
        if (data === 'later' && context.getDeliveryCount() === 1) throw new ShoalRetriableException('not yet', 300);
      }),
    );
    await broker.client.produce(topic, [{ value: 'bad' }, { value: 'later' }]);
    await until(async () => (await broker.client.describeShareGroup(group)).partitions[0]?.lag === 0);
    expect(seen.sort()).toEqual(['bad#1', 'later#1', 'later#2']);
    expect((await broker.client.describeShareGroup(group)).partitions[0]).toMatchObject({ startOffset: 2 });
  });

  it('keeps the lock of a long handler by renewing it', async () => {
    const { topic, group, options } = await setup(1, { recordLockDurationMs: 1_000 });
    const deliveries: number[] = [];
    apps.push(
      await startTransportApp(topic, options, async (_data, context) => {
        deliveries.push(context.getDeliveryCount());
        await sleep(2_500);
      }),
    );
    apps.push(
      await startTransportApp(topic, options, (_data, context) => void deliveries.push(context.getDeliveryCount())),
    );
    await broker.client.produce(topic, [{ value: 'slow' }]);
    await until(async () => (await broker.client.describeShareGroup(group)).partitions[0]?.lag === 0, 10_000);
    expect(deliveries).toEqual([1]);
  });

  it('on graceful shutdown releases unfinished records at once and leaves the group', async () => {
    const { topic, group, options } = await setup(1);
    let started = 0;
    let finish: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => (finish = resolve));
    const app = await startTransportApp(topic, { ...options, concurrency: 5, shutdownGraceMs: 100 }, async () => {
      started++;
      await stuck;
    });
    await broker.client.produce(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ value: i })),
    );
    await until(() => started === 5);
    await app.close();
    const described = await broker.client.describeShareGroup(group);
    expect(described.members).toEqual([]);
    expect(described.partitions[0]).toMatchObject({ acquired: 0, available: 5 });
    finish();
  });
});
