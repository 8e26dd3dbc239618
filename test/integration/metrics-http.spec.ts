import { ShoalMetrics } from '../../src/metrics/shoal-metrics.js';
import { Database } from '../../src/storage/database.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

const READ_ROUTE = '/v1/topics/:topic/partitions/:partition/records';

describe.each(STORAGE_KINDS)(`${ShoalMetrics.name} over HTTP on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage));
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  /** One sample of a metric (histograms: `_sum`, `_count`), summed over the series matching `labels`. */
  async function sample(name: string, labels: Record<string, string>, metricName = name): Promise<number> {
    const metric = await broker.app.get(ShoalMetrics).registry.getSingleMetric(name)?.get();
    const matching = (metric?.values ?? []).filter(
      (v) =>
        ((v as { metricName?: string }).metricName ?? name) === metricName &&
        Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
    );
    return matching.reduce((total, v) => total + v.value, 0);
  }

  it('keeps the time a long poll waits out of request latency and counts it in its own histogram', async () => {
    await broker.client.createTopic({ name: 'h-idle', partitions: 1 });
    const before = await sample(
      'shoal_http_request_duration_seconds',
      { route: READ_ROUTE },
      'shoal_http_request_duration_seconds_sum',
    );
    const answer = await broker.client.read('h-idle', 0, { offset: 0, maxWaitMs: 1_000 });
    expect(answer.records).toEqual([]);
    const waited = await sample(
      'shoal_http_long_poll_wait_seconds',
      { route: READ_ROUTE },
      'shoal_http_long_poll_wait_seconds_sum',
    );
    const served =
      (await sample(
        'shoal_http_request_duration_seconds',
        { route: READ_ROUTE },
        'shoal_http_request_duration_seconds_sum',
      )) - before;
    // A 1 s long poll: most of it (all but the time the request took to reach its wait) is counted as
    // waiting, and request latency is what is left; with the wait counted in it, it would be larger than the
    // wait. Bounds a loaded 2-core machine keeps (an idle one measures about 1.0 s waited, a few ms served).
    expect(waited).toBeGreaterThanOrEqual(0.5);
    expect(served).toBeLessThan(waited);
    expect(
      await sample(
        'shoal_http_long_poll_wait_seconds',
        { route: READ_ROUTE },
        'shoal_http_long_poll_wait_seconds_count',
      ),
    ).toBe(1);

    await broker.client.updateShareGroupConfig('h-idlers', { autoOffsetReset: 'earliest' });
    const { memberId } = await broker.client.joinShareGroup('h-idlers', { topics: ['h-idle'] });
    await broker.client.shareFetch('h-idlers', memberId, { maxRecords: 1, maxWaitMs: 1_000 });
    const consumer = await broker.client.joinConsumerGroup('h-readers', { topics: ['h-idle'] });
    await broker.client.consumerFetch('h-readers', consumer.memberId, { maxRecords: 1, maxWaitMs: 1_000 });
    for (const route of [
      '/v1/share-groups/:group/members/:memberId/fetch',
      '/v1/consumer-groups/:group/members/:memberId/fetch',
    ]) {
      const routeWaited = await sample(
        'shoal_http_long_poll_wait_seconds',
        { route },
        'shoal_http_long_poll_wait_seconds_sum',
      );
      expect(routeWaited).toBeGreaterThanOrEqual(0.5);
      expect(
        await sample('shoal_http_request_duration_seconds', { route }, 'shoal_http_request_duration_seconds_sum'),
      ).toBeLessThan(routeWaited);
    }
  });

  it('counts requests the database fails as storage errors, and no others', async () => {
    await broker.client.createTopic({ name: 'h-broken', partitions: 1 });
    await broker.client.produce('h-missing', [{ value: 1 }]).catch(() => undefined); // a 404 is no storage error
    const database = broker.app.get(Database);
    const [breakIt, fixIt, expected] =
      kind === 'sqlite'
        ? ['PRAGMA query_only = 1', 'PRAGMA query_only = 0', 'read_only']
        : [
            `CREATE FUNCTION h_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no space left' USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER h_full BEFORE INSERT ON shoal_record FOR EACH ROW EXECUTE FUNCTION h_full()`,
            'DROP TRIGGER h_full ON shoal_record',
            'disk_full',
          ];
    await database.run((sql) => sql.rows(breakIt));
    try {
      await expect(broker.client.produce('h-broken', [{ value: 1 }])).rejects.toThrow();
    } finally {
      await database.run((sql) => sql.rows(fixIt));
    }
    expect(await sample('shoal_storage_errors_total', { kind: expected })).toBe(1);
    expect(await sample('shoal_storage_errors_total', {})).toBe(1);
    await broker.client.produce('h-broken', [{ value: 1 }]);
  });

  it('exports shoal_build_info with the package version', async () => {
    const text = await (await fetch(`${broker.url}/metrics`)).text();
    expect(text).toMatch(
      new RegExp(
        `^shoal_build_info\\{version="0\\.\\d+\\.\\d+",node_version="${process.version.replaceAll('.', '\\.')}"\\} 1$`,
        'm',
      ),
    );
  });
});

describe(`${ShoalMetrics.name} with SHOAL_METRICS_PARTITION_DETAIL=off`, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage, { metricsPartitionDetail: false }));
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  it('folds partitions into one series per topic: offsets and lag summed, ages maxed', async () => {
    await broker.client.createTopic({ name: 'o-wide', partitions: 200 });
    await broker.client.produce('o-wide', [
      { partition: 3, value: 1 },
      { partition: 3, value: 2 },
      { partition: 150, value: 3 },
    ]);
    await broker.client.joinConsumerGroup('o-readers', { topics: ['o-wide'], autoOffsetReset: 'earliest' });
    const text = await (await fetch(`${broker.url}/metrics`)).text();
    const lines = text.split('\n').filter((line) => /^(shoal|kafka)_/.test(line));
    expect(lines.filter((line) => line.includes('partition="'))).toEqual([]);
    expect(lines).toContain('shoal_log_end_offset{topic="o-wide"} 3');
    expect(lines).toContain('shoal_consumer_group_lag{group="o-readers",topic="o-wide"} 3');
    expect(lines).toContain('kafka_consumergroup_lag_sum{consumergroup="o-readers",topic="o-wide"} 3');
    expect(lines.filter((line) => line.includes('"o-wide"')).length).toBeLessThan(15); // 200 partitions: over 1,000 with detail on
  });
});
