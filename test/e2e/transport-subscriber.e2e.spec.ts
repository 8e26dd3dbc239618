import { type ChildProcess, spawn } from 'node:child_process';
import type { INestMicroservice } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { ShoalClient, ShoalRecordBuilder, ShoalReplyTimeoutError } from '@shoal/transport';
import { systemClock } from '../../src/platform/clock.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';
import { startTransportApp } from '../support/transport-apps.js';
import { sleep, until } from '../support/until.js';

describe('the Shoal transport: subscribers, the client and a killed worker', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  const apps: INestMicroservice[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage), systemClock);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await broker.close();
    await storage.dispose();
  });

  it('consumer-group subscribers keep per-partition order across a rebalance and miss nothing', async () => {
    await broker.client.createTopic({ name: 'events', partitions: 4 });
    const seen = new Map<string, number[]>(); // subscriber:partition → values in handling order
    const handled = new Set<number>();
    const subscriber = (name: string) =>
      startTransportApp(
        'events',
        {
          url: broker.url,
          mode: 'consumer',
          group: 'audit',
          maxWaitMs: 100,
          batchSize: 20,
          autoOffsetReset: 'earliest',
          sessionTimeoutMs: 5_000,
        },
        async (data, context) => {
          const k = `${name}:${context.getPartition()}`;
          seen.set(k, [...(seen.get(k) ?? []), data as number]);
          handled.add(data as number);
          await sleep(1);
        },
      );
    apps.push(await subscriber('a'), await subscriber('b'));
    const produce = (from: number, count: number) =>
      broker.client.produce(
        'events',
        Array.from({ length: count }, (_, i) => ({ key: `key-${(from + i) % 13}`, value: from + i })),
      );
    await produce(0, 300);
    await until(() => handled.size >= 100);
    apps.push(await subscriber('c')); // a rebalance mid-stream
    await produce(300, 300);
    await until(() => handled.size === 600);
    for (const [k, values] of seen) expect([k, values]).toEqual([k, [...values].sort((x, y) => x - y)]);
    const described = await broker.client.describeConsumerGroup('audit');
    expect(described.members).toHaveLength(3);
  });

  it('ShoalClient emits records with key, headers and partition, batching concurrent emits', async () => {
    await broker.client.createTopic({ name: 'emitted', partitions: 3 });
    const client = new ShoalClient({ url: broker.url });
    const statuses: string[] = [];
    client.status.subscribe((s) => statuses.push(s));
    await client.connect();
    const positions = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        lastValueFrom(
          client.emit(
            'emitted',
            new ShoalRecordBuilder({ i })
              .setKey(`k${i}`)
              .setHeaders({ n: String(i) })
              .setPartition(i % 3)
              .build(),
          ),
        ),
      ),
    );
    expect(positions.map((p) => p.partition)).toEqual(Array.from({ length: 50 }, (_, i) => i % 3));
    await lastValueFrom(client.emit('emitted', Buffer.from([1, 2, 3])));
    const read = await broker.client.read('emitted', 0, { maxRecords: 100 });
    expect(read.records[0]).toMatchObject({ key: 'k0', headers: { n: '0' }, value: { i: 0 } });
    expect(
      read.records.length +
        (await broker.client.read('emitted', 1)).records.length +
        (await broker.client.read('emitted', 2)).records.length,
    ).toBe(51);
    await client.close();
    expect(statuses).toEqual(['connected', 'disconnected']);
    // send is request/reply (transport-request-reply.e2e): nobody answers on this topic, so it
    // errors at its timeout.
    const asking = new ShoalClient({ url: broker.url, replyTimeoutMs: 300 });
    await expect(lastValueFrom(asking.send('emitted', {}))).rejects.toBeInstanceOf(ShoalReplyTimeoutError);
    await asking.close();
  });

  it('loses nothing when a worker is killed with SIGKILL mid-batch: its records come back after their locks (and its session) expire', async () => {
    await broker.client.createTopic({ name: 'crashy', partitions: 2 });
    await broker.client.updateShareGroupConfig('crash-workers', {
      autoOffsetReset: 'earliest',
      recordLockDurationMs: 1_000,
    });
    await broker.client.produce(
      'crashy',
      Array.from({ length: 200 }, (_, i) => ({ value: { to: `user${i}@example.com`, i } })),
    );
    const child: ChildProcess = spawn(process.execPath, ['dist/examples/worker/main.js'], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        SHOAL_URL: broker.url,
        TOPIC: 'crashy',
        GROUP: 'crash-workers',
        CONCURRENCY: '20',
        WORK_MS: '100',
        SESSION_TIMEOUT_MS: '3000',
        SHOAL_LOG: 'silent',
      },
      stdio: 'ignore',
    });
    children.push(child);
    await until(
      async () =>
        ((await broker.client.describeShareGroup('crash-workers')).partitions ?? []).reduce(
          (n, p) => n + p.acquired + p.acknowledged,
          0,
        ) > 0 && (await broker.client.describeShareGroup('crash-workers')).partitions.some((p) => p.startOffset > 0),
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const held = (await broker.client.describeShareGroup('crash-workers')).partitions.reduce(
      (n, p) => n + p.acquired,
      0,
    );
    expect(held).toBeGreaterThan(0); // it died holding records

    const handled = new Set<number>();
    apps.push(
      await startTransportApp(
        'crashy',
        { url: broker.url, mode: 'share', group: 'crash-workers', concurrency: 20, maxWaitMs: 200 },
        (data) => void handled.add((data as { i: number }).i),
      ),
    );
    // Describe lists only share-partitions opened so far: wait for both windows to pass every record.
    const passed = async () =>
      (await broker.client.describeShareGroup('crash-workers')).partitions.reduce((n, p) => n + p.startOffset, 0);
    await until(async () => (await passed()) === 200);
    const described = await broker.client.describeShareGroup('crash-workers');
    expect(described.partitions.map((p) => p.startOffset).reduce((a, b) => a + b)).toBe(200);
    expect(handled.size).toBeGreaterThanOrEqual(held);
  });
});
