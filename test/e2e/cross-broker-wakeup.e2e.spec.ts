import { ShoalHttpClient } from '@shoal/client';
import { PgChangeRelay } from '../../src/storage/pg-change-relay.js';
import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

// A poll nothing wakes answers at its maxWait at the earliest (its last look then finds the record):
// an answer well before it can only come from the other broker's notification.
const MAX_WAIT_MS = 20_000;
const ASLEEP_WITHIN_MS = 8_000;
const WOKEN_BEFORE_MS = 15_000;

/** Broker `url`'s `shoal_long_polls_waiting`: long polls asleep in that process, waiting for a change. */
async function longPollsWaiting(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found = /^shoal_long_polls_waiting (\d+)$/m.exec(text);
  if (!found) throw new Error('shoal_long_polls_waiting is missing from /metrics');
  return Number(found[1]);
}

describe(PgChangeRelay.name, () => {
  let storage: TestStorage;
  const brokers: BrokerProcess[] = [];
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    for (let i = 0; i < 2; i++) brokers.push(await spawnBroker(storage.storage.url));
  });
  afterAll(async () => {
    for (const broker of brokers) {
      const exited = new Promise((resolve) => broker.child.once('exit', resolve));
      broker.child.kill('SIGTERM');
      await exited;
      await broker.client.close();
    }
    await storage.dispose();
  });

  it('wakes a read, a consumer fetch and a share fetch waiting on one broker when another commits', async () => {
    // Clients that wait out a long poll (the spawned brokers' own give up after 5 s).
    const [a, b] = brokers.map(
      (broker) => new ShoalHttpClient({ url: broker.url, timeoutMs: 60_000, retry: { retries: 0 } }),
    );
    await a.createTopic({ name: 'wake', partitions: 1 });
    await a.updateShareGroupConfig('wake-share', { autoOffsetReset: 'earliest' });
    const share = await b.joinShareGroup('wake-share', { topics: ['wake'] });
    const consumer = await b.joinConsumerGroup('wake-consumers', { topics: ['wake'], autoOffsetReset: 'earliest' });
    expect(await longPollsWaiting(brokers[1].url)).toBe(0);
    const started = Date.now();
    const waits = [
      b.read('wake', 0, { offset: 0, maxWaitMs: MAX_WAIT_MS }).then((r) => r.records.length),
      b.consumerFetch('wake-consumers', consumer.memberId, { maxWaitMs: MAX_WAIT_MS }).then((r) => r.records.length),
      b.shareFetch('wake-share', share.memberId, { maxWaitMs: MAX_WAIT_MS }).then((r) => r.records.length),
    ].map((p) => p.then((records) => ({ records, afterMs: Date.now() - started })));
    // All three have read nothing and sleep on broker B; only then does broker A commit the record.
    await until(async () => (await longPollsWaiting(brokers[1].url)) === 3, ASLEEP_WITHIN_MS);
    await a.produce('wake', [{ value: 'hello' }]);
    const answers = await Promise.all(waits);
    expect(answers.map((x) => x.records)).toEqual([1, 1, 1]);
    for (const answer of answers) expect(answer.afterMs).toBeLessThan(WOKEN_BEFORE_MS);
    expect(await longPollsWaiting(brokers[1].url)).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });
});
