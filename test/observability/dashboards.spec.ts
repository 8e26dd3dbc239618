import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/platform/clock.js';
import { ShareGroupService } from '../../src/share-groups/share-group.service.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { freePort } from '../support/broker-process.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

const DASHBOARDS = 'grafana/dashboards';
const SCRAPE_CONFIG = 'grafana/prometheus/prometheus.yml';
const ALERTS = 'grafana/prometheus/alerts.yml';
const ALERT_TESTS = 'grafana/prometheus/alerts.test.yml';
const READ_ROUTE = '/v1/topics/:topic/partitions/:partition/records';

interface Panel {
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}

interface Dashboard {
  title: string;
  panels: Panel[];
  __inputs?: { name: string; type: string; pluginId: string }[];
  templating: { list: { name: string; type: string; query?: unknown; datasource?: { uid: string } }[] };
}

const dashboards = (): Dashboard[] =>
  readdirSync(DASHBOARDS).map((file) => JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as Dashboard);

/** Grafana's variables replaced as the dashboard would on "All" and a 1m rate interval. */
const substitute = (expr: string) =>
  expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '5m')
    .replace(/\$(group|topic)\b/g, '.*');

/** Metrics that rate(), irate() or increase() are applied to in `expr`. */
const ratedMetrics = (expr: string) =>
  [...expr.matchAll(/\b(?:rate|irate|increase)\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/g)].map((m) => m[1]);

/** Every PromQL expression of every panel, with Grafana's variables substituted. */
function dashboardQueries(): { dashboard: string; panel: string; expr: string }[] {
  return dashboards().flatMap((dashboard) =>
    dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({ dashboard: dashboard.title, panel: panel.title, expr: substitute(t.expr) })),
    ),
  );
}

/** The first value of an instant query's first series (NaN when there is none). */
async function scalar(prometheus: string, expr: string): Promise<number> {
  const answer = await query(prometheus, expr);
  return Number((answer.data?.result[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? NaN);
}

/** Resolves after Prometheus has scraped again (scrapes come every second). */
async function nextScrape(prometheus: string): Promise<void> {
  const last = await scalar(prometheus, 'timestamp(up{job="shoal"})');
  for (let i = 0; i < 50 && (await scalar(prometheus, 'timestamp(up{job="shoal"})')) === last; i++)
    await new Promise((resolve) => setTimeout(resolve, 200));
}

/** Idle consumers: long polls on an empty partition, back to back, until `stop` is called. */
function longPollers(broker: TestBroker, count: number): { stop(): Promise<void> } {
  let running = true;
  const loops = Array.from({ length: count }, async () => {
    while (running) await broker.client.read('idle', 0, { offset: 0, maxWaitMs: 1_500 });
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function query(
  prometheus: string,
  expr: string,
): Promise<{ status: string; data?: { result: unknown[] }; error?: string }> {
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as { status: string; data?: { result: unknown[] }; error?: string };
}

/** Enough of everything the dashboards show: produce, a consumer group, a share group with every outcome. */
async function driveTraffic(broker: TestBroker, clock: ManualClock): Promise<void> {
  const { client } = broker;
  await client.createTopic({ name: 'orders', partitions: 2 }).catch(() => undefined);
  await client.createTopic({ name: 'orders.dlq', partitions: 1 }).catch(() => undefined);
  await client.produce(
    'orders',
    Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: { i } })),
  );
  await client.produce('no-such-topic', [{ value: 1 }]).catch(() => undefined); // a 404 for the error rate

  await client.joinConsumerGroup('auditors', { topics: ['orders'], autoOffsetReset: 'earliest' }); // never commits
  const member = await client.joinConsumerGroup('billing', { topics: ['orders'], autoOffsetReset: 'earliest' });
  const fetched = await client.consumerFetch('billing', member.memberId, { maxRecords: 20 });
  const next = new Map(fetched.records.map((r) => [r.partition, r.offset + 1]));
  if (next.size > 0)
    await client.commitOffsets(
      'billing',
      member.memberId,
      fetched.generation,
      [...next].map(([partition, offset]) => ({ topic: 'orders', partition, offset })),
    );

  await client.updateShareGroupConfig('mailers', {
    autoOffsetReset: 'earliest',
    deadLetterTopic: 'orders.dlq',
    deliveryCountLimit: 2,
    recordLockDurationMs: 1_000,
  });
  const worker = await client.joinShareGroup('mailers', { topics: ['orders'] });
  const first = await client.shareFetch('mailers', worker.memberId, { maxRecords: 8 });
  const [a, b, c, d, e, ...rest] = first.records.map((r) => ({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
  }));
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
  await client.acknowledge(
    'mailers',
    worker.memberId,
    second.records.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, type: 'release' as const })),
  );
}

describe('Grafana dashboards against a real Prometheus scraping two brokers on one PostgreSQL', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let second: TestBroker;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let prometheusUrl = '';
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    broker = await startBroker(testConfig(storage.storage), clock);
    second = await startBroker(testConfig(storage.storage), clock);
    dir = mkdtempSync(join(tmpdir(), 'shoal-prometheus-'));
  });
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await broker.close();
    await second.close();
    await storage.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the repo’s scrape config passes promtool', () => {
    expect(execFileSync('promtool', ['check', 'config', SCRAPE_CONFIG]).toString()).toContain('SUCCESS');
  });

  it('the alert rules pass promtool check and every alert’s unit tests (firing and not firing)', () => {
    expect(execFileSync('promtool', ['check', 'rules', ALERTS]).toString()).toContain('SUCCESS');
    expect(execFileSync('promtool', ['test', 'rules', ALERT_TESTS]).toString()).toContain('SUCCESS');
    const alerts = [...readFileSync(ALERTS, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const tested = readFileSync(ALERT_TESTS, 'utf8');
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    for (const alert of alerts) expect(tested).toContain(`alertname: ${alert}`);
  });

  it('every dashboard imports anywhere: a datasource variable, __inputs, no hard-coded datasource uid', () => {
    for (const dashboard of dashboards()) {
      expect(dashboard.__inputs).toEqual([
        expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
      ]);
      // Import fills DS_PROMETHEUS in; provisioned, the unresolved value falls back to the default Prometheus.
      expect(dashboard.templating.list[0]).toMatchObject({
        name: 'datasource',
        type: 'datasource',
        query: 'prometheus',
        current: { value: '${DS_PROMETHEUS}' },
      });
      const uids = [
        ...dashboard.panels.flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]),
        ...dashboard.templating.list.slice(1).map((v) => v.datasource?.uid),
      ];
      expect(new Set(uids)).toEqual(new Set(['${datasource}']));
    }
  });

  it('every panel’s query evaluates without error and returns series', async () => {
    const target = new URL(broker.url).host;
    const config = readFileSync(SCRAPE_CONFIG, 'utf8')
      .replace("'broker:8080'", `'${target}', '${new URL(second.url).host}'`)
      .replace(/scrape_interval: \d+s/, 'scrape_interval: 1s');
    expect(config).toContain(target);
    writeFileSync(join(dir, 'prometheus.yml'), config);
    copyFileSync(ALERTS, join(dir, 'alerts.yml'));
    const port = await freePort();
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      {
        stdio: 'ignore',
      },
    );
    const url = `http://127.0.0.1:${port}`;
    prometheusUrl = url;

    await broker.client.createTopic({ name: 'idle', partitions: 1 });
    const idle = longPollers(broker, 4);
    await driveTraffic(broker, clock);
    // Wait for several scrapes after the traffic, so rates over 1m have two samples.
    for (let i = 0; i < 120; i++) {
      const scrapes = await query(url, 'count_over_time(up{job="shoal"}[1m])').catch(() => undefined);
      const count = Number((scrapes?.data?.result[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? 0);
      if (count >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await driveTraffic(second, clock);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await idle.stop();
    await nextScrape(url);

    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(25);
    const failures: string[] = [];
    for (const q of queries) {
      const answer = await query(url, q.expr);
      if (answer.status !== 'success') failures.push(`${q.dashboard} / ${q.panel}: ${answer.error}`);
      else if ((answer.data?.result.length ?? 0) === 0)
        failures.push(`${q.dashboard} / ${q.panel}: no series for ${q.expr}`);
    }
    expect(failures).toEqual([]);

    // Two brokers, one state: the database-derived gauges come from one of them, the counters from both.
    expect(await scalar(url, 'count(up{job="shoal"} == 1)')).toBe(2);
    expect(await scalar(url, 'count(shoal_broker_info{role="state_exporter"})')).toBe(1);
    expect(await scalar(url, 'count(shoal_broker_info{role="standby"})')).toBe(1);
    const ends = (await broker.client.describeTopic('orders')).partitions.reduce((sum, p) => sum + p.endOffset, 0);
    expect(ends).toBe(100);
    expect(await scalar(url, 'sum(shoal_log_end_offset{topic="orders"})')).toBe(ends);
    expect(await scalar(url, 'sum(kafka_topic_partition_current_offset{topic="orders"})')).toBe(ends);
    expect(await scalar(url, 'count(shoal_group_members{group="mailers"})')).toBe(1);
    expect(await scalar(url, 'sum(shoal_records_produced_total{topic="orders"})')).toBe(ends);
    expect(await scalar(url, 'count(shoal_records_produced_total{topic="orders"})')).toBe(2);
    // The alert rules are loaded (the scrape config names them).
    const rules = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: { rules: unknown[] }[] } };
    expect(rules.data.groups.flatMap((g) => g.rules).length).toBe(8);
    // The fixed panels show what is true. A group that never commits has lag:
    expect(await scalar(url, 'sum by (group) (shoal_consumer_group_lag{group="auditors"})')).toBeGreaterThan(0);
    expect(
      await scalar(url, 'sum by (consumergroup) (kafka_consumergroup_lag_sum{consumergroup="auditors"})'),
    ).toBeGreaterThan(0);
    // Request latency is the time spent serving, long polls waiting or not (they wait 1.5 s; serving takes
    // milliseconds, 0.5 s leaves a loaded machine room):
    const latency = dashboardQueries().find((q) => q.panel === 'Request latency p50 / p99');
    expect(latency).toBeDefined();
    expect(await scalar(url, latency?.expr ?? '')).toBeLessThan(0.5);
    expect(
      await scalar(
        url,
        `histogram_quantile(0.5, sum by (le) (rate(shoal_http_request_duration_seconds_bucket{route="${READ_ROUTE}"}[1m])))`,
      ),
    ).toBeLessThan(0.5);
    expect(
      await scalar(
        url,
        `histogram_quantile(0.5, sum by (le) (rate(shoal_http_long_poll_wait_seconds_bucket{route="${READ_ROUTE}"}[1m])))`,
      ),
    ).toBeGreaterThan(1);
  });

  it('no dashboard panel nor alert applies rate(), irate() or increase() to a gauge', async () => {
    const text = await (await fetch(`${broker.url}/metrics`)).text();
    const counters = new Set<string>();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      if (type === 'counter') counters.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) counters.add(name + suffix);
    }
    const alertExprs = [...readFileSync(ALERTS, 'utf8').matchAll(/expr: \|?\n?([\s\S]*?)\n\s+(?:for|labels):/g)].map(
      (m) => m[1],
    );
    const rated = [...dashboardQueries().map((q) => q.expr), ...alertExprs].flatMap(ratedMetrics);
    expect(rated.length).toBeGreaterThan(10);
    expect(rated.filter((name) => !counters.has(name))).toEqual([]);
  });

  it('the oldest-waiting-job gauge rises while a job waits', async () => {
    const url = prometheusUrl;
    await broker.client.createTopic({ name: 'backlog', partitions: 1 });
    await broker.client.updateShareGroupConfig('idle-workers', { autoOffsetReset: 'earliest' });
    const { memberId } = await broker.client.joinShareGroup('idle-workers', { topics: ['backlog'] });
    await broker.client.produce('backlog', [{ value: 'waiting job' }]);
    await broker.client.shareFetch('idle-workers', memberId, { maxRecords: 1 }); // acquired, never acknowledged
    // Two brokers are scraped and only one exports the gauge: wait (bounded) for a scrape of the
    // exporter after the clock moved, rather than for the next scrape of either.
    const ageAtLeast = async (min: number) => {
      let value = NaN;
      for (const deadline = Date.now() + 15_000; !(value >= min) && Date.now() < deadline;) {
        await nextScrape(url);
        value = await scalar(url, 'max by (group) (shoal_share_group_max_lag_seconds{group="idle-workers"})');
      }
      return value;
    };
    clock.advance(20_000);
    const first = await ageAtLeast(20);
    clock.advance(40_000);
    const second = await ageAtLeast(first + 40);
    expect(first).toBeGreaterThanOrEqual(20);
    expect(second).toBeGreaterThanOrEqual(first + 40);
  });
});
