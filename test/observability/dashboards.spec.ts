import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/domain/clock.js';
import { ShareGroupService } from '../../src/services/share-groups/share-group.service.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { freePort } from '../support/broker-process.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

const DASHBOARDS = 'grafana/dashboards';
const SCRAPE_CONFIG = 'grafana/prometheus/prometheus.yml';

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

/** Every PromQL expression of every panel, with Grafana's variables substituted. */
function dashboardQueries(): { dashboard: string; panel: string; expr: string }[] {
  return readdirSync(DASHBOARDS).flatMap((file) => {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { title: string; panels: Panel[] };
    return dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({
        dashboard: dashboard.title,
        panel: panel.title,
        expr: t.expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '5m').replace(/\$(group|topic)\b/g, '.*'),
      })),
    );
  });
}

async function query(prometheus: string, expr: string): Promise<{ status: string; data?: { result: unknown[] }; error?: string }> {
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as { status: string; data?: { result: unknown[] }; error?: string };
}

/** Enough of everything the dashboards show: produce, a consumer group, a share group with every outcome. */
async function driveTraffic(broker: TestBroker, clock: ManualClock): Promise<void> {
  const { client } = broker;
  await client.createTopic({ name: 'orders', partitions: 2 }).catch(() => undefined);
  await client.createTopic({ name: 'orders.dlq', partitions: 1 }).catch(() => undefined);
  await client.produce('orders', Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: { i } })));
  await client.produce('no-such-topic', [{ value: 1 }]).catch(() => undefined); // a 404 for the error rate

  const member = await client.joinConsumerGroup('billing', { topics: ['orders'], autoOffsetReset: 'earliest' });
  const fetched = await client.consumerFetch('billing', member.memberId, { maxRecords: 20 });
  const next = new Map(fetched.records.map((r) => [r.partition, r.offset + 1]));
  if (next.size > 0) await client.commitOffsets('billing', member.memberId, fetched.generation, [...next].map(([partition, offset]) => ({ topic: 'orders', partition, offset })));

  await client.updateShareGroupConfig('mailers', { autoOffsetReset: 'earliest', deadLetterTopic: 'orders.dlq', deliveryCountLimit: 2, recordLockDurationMs: 1_000 });
  const worker = await client.joinShareGroup('mailers', { topics: ['orders'] });
  const first = await client.shareFetch('mailers', worker.memberId, { maxRecords: 8 });
  const [a, b, c, d, e, ...rest] = first.records.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset }));
  await client.acknowledge('mailers', worker.memberId, [
    { ...a, type: 'accept' },
    { ...b, type: 'release' },
    { ...c, type: 'reject' },
    { ...d, type: 'renew' },
    { ...e, type: 'accept' },
    ...rest.map((r) => ({ ...r, type: 'accept' as const })),
  ]);
  // b comes back (a redelivery); d's lock then runs out (a lock timeout).
  const second = await client.shareFetch('mailers', worker.memberId, { maxRecords: 4 });
  clock.advance(2_000);
  await broker.app.get(ShareGroupService).sweep(clock.now());
  await client.acknowledge('mailers', worker.memberId, second.records.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, type: 'release' as const })));
}

describe('Grafana dashboards against a real Prometheus', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage), clock);
    dir = mkdtempSync(join(tmpdir(), 'shoal-prometheus-'));
  });
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await broker.close();
    await storage.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the repo’s scrape config passes promtool', () => {
    expect(execFileSync('promtool', ['check', 'config', SCRAPE_CONFIG]).toString()).toContain('SUCCESS');
  });

  it('every panel’s query evaluates without error and returns series', async () => {
    const target = new URL(broker.url).host;
    const config = readFileSync(SCRAPE_CONFIG, 'utf8').replace("'broker:8080'", `'${target}'`).replace(/scrape_interval: \d+s/, 'scrape_interval: 1s');
    expect(config).toContain(target);
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: 'ignore',
    });
    const url = `http://127.0.0.1:${port}`;

    await driveTraffic(broker, clock);
    // Wait for several scrapes after the traffic, so rates over 1m have two samples.
    for (let i = 0; i < 120; i++) {
      const scrapes = await query(url, 'count_over_time(up{job="shoal"}[1m])').catch(() => undefined);
      const count = Number((scrapes?.data?.result[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? 0);
      if (count >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await driveTraffic(broker, clock);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(25);
    const failures: string[] = [];
    for (const q of queries) {
      const answer = await query(url, q.expr);
      if (answer.status !== 'success') failures.push(`${q.dashboard} / ${q.panel}: ${answer.error}`);
      else if ((answer.data?.result.length ?? 0) === 0) failures.push(`${q.dashboard} / ${q.panel}: no series for ${q.expr}`);
    }
    expect(failures).toEqual([]);
  });
});
