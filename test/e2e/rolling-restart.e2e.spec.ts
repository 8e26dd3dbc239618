import type { ShoalHttpClient } from '@shoal/client';
import { LongPollCloser } from '../../src/platform/long-poll-closer.js';
import { BrokerCluster } from '../support/broker-cluster.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { sleep, until } from '../support/until.js';

const TOPIC = 'rolling';
/** A connection the stopped broker never took: refused (or reset while still in the listen backlog). Never sent, safe to retry anywhere. */
const refused = (error: unknown) =>
  /connect ECONN(REFUSED|RESET)|ECONNREFUSED/.test(`${String(error)} ${String((error as Error).cause)}`);

describe(`${LongPollCloser.name} in a rolling restart`, () => {
  let storage: TestStorage;
  let cluster: BrokerCluster;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    cluster = await BrokerCluster.start(storage.storage.url, 3, { SHOAL_SHUTDOWN_GRACE_MS: '8000' });
  });
  afterAll(async () => {
    await cluster.close();
    await storage.dispose();
  });

  it('SIGTERM to each of three brokers in turn under load: no reset, no 5xx, nothing lost', async () => {
    const failures: string[] = [];
    let refusals = 0;
    let running = true;
    /** Each client sticks to one broker, as behind a proxy; a refused connection (the broker is down) is where a proxy would move on. */
    const loop = async (slot: number, work: (client: ShoalHttpClient) => Promise<void>) => {
      while (running) {
        try {
          await work(cluster.client(slot));
        } catch (error) {
          if (refused(error)) {
            refusals++;
            await sleep(50);
          } else failures.push(`${slot}: ${String(error)}`);
        }
      }
    };
    await cluster.client(0).createTopic({ name: TOPIC, partitions: 3 });
    await cluster.client(0).createTopic({ name: 'rolling-idle', partitions: 1 });
    const acknowledged = new Map<string, number>();
    let n = 0;
    const loops = [0, 1, 2].flatMap((slot) => [
      loop(slot, async (client) => {
        const value = n++;
        const answer = await client.produce(TOPIC, [{ value }]);
        acknowledged.set(`${answer.offsets[0].partition}:${answer.offsets[0].offset}`, value);
      }),
      loop(slot, async (client) => {
        await client.read(TOPIC, slot, { offset: 0, maxRecords: 1, maxWaitMs: 2_000 });
      }),
      loop(slot, async (client) => {
        // A long poll on an empty topic: it waits until SIGTERM answers it.
        await client.read('rolling-idle', 0, { offset: 0, maxWaitMs: 20_000 });
      }),
    ]);
    await until(() => acknowledged.size >= 100);
    for (let slot = 0; slot < 3; slot++) {
      await cluster.stop(slot, 'SIGTERM');
      await sleep(300);
      await cluster.restart(slot);
      const before = acknowledged.size;
      await until(() => acknowledged.size >= before + 50);
    }
    running = false;
    await Promise.all(loops);

    expect(failures).toEqual([]);
    const stored = new Map<string, unknown>();
    for (let partition = 0; partition < 3; partition++) {
      for (let offset = 0; ;) {
        const read = await cluster.client(0).read(TOPIC, partition, { offset, maxRecords: 10_000, maxWaitMs: 0 });
        for (const r of read.records) stored.set(`${r.partition}:${r.offset}`, r.value);
        if (read.records.length === 0) break;
        offset = read.nextOffset;
      }
    }
    expect([...acknowledged].filter(([k, value]) => stored.get(k) !== value)).toEqual([]);
    expect(refusals).toBeGreaterThan(0); // the clients did meet brokers that were down
  }, 150_000);
});
