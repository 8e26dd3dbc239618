import { StateExporterLease } from '../../src/metrics/state-exporter.lease.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const role = (text: string) => /shoal_broker_info\{role="(\w+)"\} 1/.exec(text)?.[1];
const endOffsetSeries = (text: string) => text.split('\n').filter((l) => l.startsWith('shoal_log_end_offset{')).length;

describe(StateExporterLease.name, () => {
  let storage: TestStorage;
  const opened: LogContext[] = [];
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
  });
  afterAll(async () => {
    for (const log of opened) await log.close().catch(() => undefined);
    await storage.dispose();
  });

  it('of two brokers on one PostgreSQL exactly one exports the database gauges, and the other takes over when it goes', async () => {
    const a = await openLogContext('postgres', Date.now(), storage);
    opened.push(a);
    const b = await openLogContext('postgres', Date.now(), storage);
    opened.push(b);
    await a.topics.create('exported-once', 3, undefined);
    await a.produce('exported-once', [{ value: 1 }]);

    const first = [await a.metrics.render(), await b.metrics.render()];
    expect(first.map(role).sort()).toEqual(['standby', 'state_exporter']);
    const exporter = first.findIndex((text) => role(text) === 'state_exporter');
    expect(endOffsetSeries(first[exporter])).toBe(3);
    expect(endOffsetSeries(first[1 - exporter])).toBe(0);
    // Counters stay per broker: the producing broker counts its records whatever its role.
    expect(first[0]).toMatch(/shoal_records_produced_total\{topic="exported-once"\} 1/);

    const [gone, other] = exporter === 0 ? [a, b] : [b, a];
    await gone.close();
    opened.splice(opened.indexOf(gone), 1);
    const after = await other.metrics.render();
    expect(role(after)).toBe('state_exporter');
    expect(endOffsetSeries(after)).toBe(3);
  });

  it('on SQLite the one broker exports them', async () => {
    const log = await openLogContext('sqlite');
    try {
      expect(role(await log.metrics.render())).toBe('state_exporter');
    } finally {
      await log.close();
    }
  });
});
