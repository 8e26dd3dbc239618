import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { createTestStorage, STORAGE_KINDS, type TestStorage } from '../support/storage.js';
import { sleep, until } from '../support/until.js';

async function readAll(broker: BrokerProcess, topic: string, partitions: number) {
  const records = [];
  for (let p = 0; p < partitions; p++)
    records.push(...(await broker.client.read(topic, p, { offset: 0, maxRecords: 10_000 })).records);
  return records;
}

function stop(broker: BrokerProcess): Promise<void> {
  return new Promise((resolve) => {
    if (broker.child.exitCode !== null || broker.child.signalCode !== null) return resolve();
    broker.child.once('exit', () => resolve());
    broker.child.kill('SIGKILL');
  });
}

describe.each(STORAGE_KINDS)('Scheduled records and schedules in broker processes on %s', (kind) => {
  let storage: TestStorage;
  const brokers: BrokerProcess[] = [];
  beforeEach(async () => {
    storage = await createTestStorage(kind);
  });
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map(stop));
    await storage.dispose();
  });

  it('appends a scheduled record once after the broker was SIGKILLed and started again', async () => {
    const first = await spawnBroker(storage.storage.url);
    brokers.push(first);
    await first.client.createTopic({ name: 'killed-sched', partitions: 2 });
    const values = Array.from({ length: 50 }, (_, i) => i);
    await first.client.produce(
      'killed-sched',
      values.map((value) => ({ value, delayMs: 1_500 })),
    );
    await stop(first);
    const second = await spawnBroker(storage.storage.url);
    brokers.push(second);
    await until(async () => (await readAll(second, 'killed-sched', 2)).length >= 50, 15_000);
    await sleep(500);
    const seen = (await readAll(second, 'killed-sched', 2)).map((r) => r.value as number);
    expect(seen.sort((a, b) => a - b)).toEqual(values);
  });

  it('fires each tick once and appends each scheduled record once with two broker processes on one database', async () => {
    const a = await spawnBroker(storage.storage.url);
    const b = await spawnBroker(storage.storage.url);
    brokers.push(a, b);
    await a.client.createTopic({ name: 'two-procs', partitions: 1 });
    await a.client.request('POST', '/v1/schedules', {
      name: 'two-procs-tick',
      topic: 'two-procs',
      everyMs: 1_000,
      record: { value: 'tick' },
    });
    await b.client.produce(
      'two-procs',
      Array.from({ length: 100 }, (_, i) => ({ value: i, delayMs: 200 + i * 20 })),
    );
    await sleep(4_500);
    await a.client.request('DELETE', '/v1/schedules/two-procs-tick');
    const records = await readAll(b, 'two-procs', 1);
    const ticks = records.filter((r) => r.value === 'tick').map((r) => r.headers['shoal.schedule.tick']);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ticks).size).toBe(ticks.length);
    const jobs = records.filter((r) => r.value !== 'tick').map((r) => r.value as number);
    expect(jobs.sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
