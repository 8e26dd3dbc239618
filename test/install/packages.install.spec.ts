import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireRecord } from '@shoal/protocol';
import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { createApp, PACKAGES, type PackedPackage, packWorkspaces, run, start } from './install-app.js';
import type { Job, Outcome } from './fixture-app/src/jobs.js';

const SETUP_MS = 300_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The packages as a new user gets them: packed, installed into a fresh NestJS app outside the
 * repository next to Nest from the registry, type-checked, and run as separate processes
 * against the built broker.
 */
describe('the @shoal packages installed into a new NestJS app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-install-'));
  let packed: PackedPackage[] = [];
  let broker: BrokerProcess | undefined;
  let worker: ReturnType<typeof start> | undefined;
  const jobs: Job[] = [
    { id: 'ok-1', kind: 'ok' },
    { id: 'flaky-1', kind: 'flaky' },
    { id: 'busy-1', kind: 'busy' },
    { id: 'poison-1', kind: 'poison' },
  ];

  const produce = (topic: string, batch: Job[]) =>
    run(process.execPath, ['dist/producer.js'], dir, {
      SHOAL_URL: broker!.url,
      JOBS_TOPIC: topic,
      JOBS: JSON.stringify(batch),
    });
  const readAll = async (topic: string): Promise<WireRecord[]> =>
    (await broker!.client.read(topic, 0, { maxRecords: 1_000 })).records;
  const outcomes = async (id: string): Promise<Outcome[]> =>
    (await readAll('results')).map((r) => r.value as unknown as Outcome).filter((o) => o.id === id);

  async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(`${what}: not reached in ${ms} ms; worker output:\n${worker?.output() ?? ''}`);
      await sleep(100);
    }
  }

  beforeAll(async () => {
    packed = await packWorkspaces(dir);
    await createApp(
      dir,
      packed.map((p) => p.filename),
    );
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], dir);
    broker = await spawnBroker(`sqlite:${join(dir, 'broker.db')}`);
    for (const name of ['jobs', 'results', 'jobs-dlq']) await broker.client.createTopic({ name, partitions: 1 });
    // Produced before any worker exists; the group's config is left as the worker makes it.
    await produce('jobs', [{ id: 'early-1', kind: 'ok' }]);
    worker = start('dist/worker.js', dir, {
      SHOAL_URL: broker.url,
      SHOAL_GROUP: 'workers',
      JOBS_TOPIC: 'jobs',
      RESULTS_TOPIC: 'results',
    });
    await until(
      'the worker opens its share-partition',
      async () =>
        (await broker!.client.describeShareGroup('workers').catch(() => null))?.partitions.filter((p) => p.opened)
          .length === 1,
    );
    await broker.client.updateShareGroupConfig('workers', { deadLetterTopic: 'jobs-dlq', deliveryCountLimit: 5 });
    await produce('jobs', jobs);
    await until(
      'every job is handled',
      async () =>
        (await outcomes('poison-1')).length > 0 && (await outcomes('flaky-1')).some((o) => o.outcome === 'accepted'),
    );
  }, SETUP_MS);

  afterAll(async () => {
    for (const child of [worker?.child, broker?.child]) {
      if (!child || child.exitCode !== null) continue;
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('packs each package with its built .js, .d.ts and maps, and no sources, tests or build info', () => {
    expect(packed.map((p) => p.name)).toEqual(PACKAGES.map((name) => `@shoal/${name}`));
    for (const { files } of packed) {
      const paths = files.map((f) => f.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'package.json',
          'README.md',
          'dist/index.js',
          'dist/index.d.ts',
          'dist/index.js.map',
          'dist/index.d.ts.map',
        ]),
      );
      expect(
        paths.filter(
          (p) => !/^dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)$/.test(p) && p !== 'package.json' && p !== 'README.md',
        ),
      ).toEqual([]);
      expect(paths.filter((p) => /\.spec\.|tsbuildinfo/.test(p))).toEqual([]);
    }
  });

  it('installs one copy of Nest, and every package resolves through its exports', async () => {
    for (const name of PACKAGES)
      expect(existsSync(join(dir, 'node_modules', '@shoal', name, 'node_modules'))).toBe(false);
    const manifest = JSON.parse(
      readFileSync(join(dir, 'node_modules', '@shoal', 'transport', 'package.json'), 'utf8'),
    ) as { peerDependencies: Record<string, string> };
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual([
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/microservices',
      'reflect-metadata',
      'rxjs',
    ]);
    const script = `const p = await import('@shoal/protocol'), c = await import('@shoal/client'), t = await import('@shoal/transport');
      console.log(JSON.stringify([typeof p.ErrorCode, typeof c.ShoalHttpClient, typeof t.ShoalModule, typeof t.ShoalServer]));`;
    const answer = await run(process.execPath, ['--input-type=module', '-e', script], dir);
    expect(JSON.parse(answer)).toEqual(['object', 'function', 'function', 'function']);
  });

  it('accepts a job whose handler returns: handled once, never redelivered', async () => {
    expect(await outcomes('ok-1')).toEqual([{ id: 'ok-1', deliveryCount: 1, outcome: 'accepted' }]);
  });

  it('releases a job after a plain error or ShoalRetriableException and redelivers it with a higher delivery count', async () => {
    expect(await outcomes('flaky-1')).toEqual([
      { id: 'flaky-1', deliveryCount: 1, outcome: 'failed' },
      { id: 'flaky-1', deliveryCount: 2, outcome: 'accepted' },
    ]);
    expect(await outcomes('busy-1')).toEqual([
      { id: 'busy-1', deliveryCount: 1, outcome: 'busy' },
      { id: 'busy-1', deliveryCount: 2, outcome: 'accepted' },
    ]);
  });

  it('dead-letters a job whose handler throws ShoalRejectException with reason "rejected", delivered once', async () => {
    await until('the dead-letter copy', async () => (await readAll('jobs-dlq')).length > 0);
    const [copy] = await readAll('jobs-dlq');
    expect(copy.value).toEqual({ id: 'poison-1', kind: 'poison' });
    expect(copy.headers['shoal.dlq.reason']).toBe('rejected');
    expect(copy.headers['shoal.dlq.delivery-count']).toBe('1');
    expect(await outcomes('poison-1')).toEqual([{ id: 'poison-1', deliveryCount: 1, outcome: 'rejected' }]);
  });

  it("carries the rejection's error text on the dead-letter copy (shoal.dlq.error)", async () => {
    const [copy] = await readAll('jobs-dlq');
    expect(copy.headers['shoal.dlq.error']).toContain('poison pill poison-1');
  });

  it('processes a job produced before the first worker of a new group started', async () => {
    await until('the early job is handled', async () => (await outcomes('early-1')).length > 0, 10_000);
    expect(await outcomes('early-1')).toEqual([{ id: 'early-1', deliveryCount: 1, outcome: 'accepted' }]);
  });
});
