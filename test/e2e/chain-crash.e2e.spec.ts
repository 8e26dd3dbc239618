import type { ShoalHttpClient } from '@shoal/client';
import { BrokerCluster } from '../support/broker-cluster.js';
import { seededRandom } from '../support/seeded-random.js';
import { createTestStorage, type StorageKind, type TestStorage } from '../support/storage.js';
import { sleep, until } from '../support/until.js';
import { spawnFixture, type WorkerProcess } from '../support/worker-process.js';

/**
 * Exactly-once job chaining under crashes (issue 26): a three-step chain (step1 → step2 →
 * step3 → done) run by worker processes that are SIGKILLed at random moments, with a broker
 * SIGKILLed under them and restarted: every step's output exists exactly once per input id,
 * nothing lost. SHOAL_CHAIN_JOBS sets the number of inputs (the run: 10,000).
 */
const JOBS = Number(process.env.SHOAL_CHAIN_JOBS ?? 600);
const WORKERS = 3;
const PARTITIONS = 2;
const STEPS = ['step1', 'step2', 'step3', 'done'];
/** Worker kills during the run (each replaced at once; SHOAL_CHAIN_KILLS), and broker kills. */
const WORKER_KILLS = Number(process.env.SHOAL_CHAIN_KILLS ?? 3);
const BROKER_KILLS = 1;
const SUITE_MS = 120_000 + JOBS * 25;
/** The inputs come in this many produces, up to INPUT_EVERY_MS apart: the chain runs for seconds, not one burst. */
const INPUT_BATCHES = 20;
const INPUT_EVERY_MS = 200;

const cases: [StorageKind, number][] = [
  ['sqlite', 1],
  ['postgres', 3],
];

describe.each(cases)('a three-step chain on %s with %i broker(s), workers and a broker SIGKILLed', (kind, brokers) => {
  let storage: TestStorage;
  let cluster: BrokerCluster;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    cluster = await BrokerCluster.start(storage.storage.url, brokers, { SHOAL_SHUTDOWN_GRACE_MS: '2000' });
  });
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await cluster.close();
    await storage.dispose();
  });

  it(
    `each step's output exists exactly once per input, nothing lost (${JOBS} jobs)`,
    async () => {
      const random = seededRandom(2026_12_06 + brokers);
      const deadline = Date.now() + SUITE_MS - 10_000;
      const up = () => [...Array(brokers).keys()].filter((slot) => cluster.isUp(slot));
      const call = <T>(work: (client: ShoalHttpClient) => Promise<T>) =>
        cluster.call(() => random.pick(up().length > 0 ? up() : [0]), work, deadline);
      const topic = (step: string) => `chain-${step}`;
      for (const step of STEPS) await call((c) => c.createTopic({ name: topic(step), partitions: PARTITIONS }));
      // Short locks and sessions: a killed worker's records come back within a few seconds; no
      // delivery limit is reached by kills alone.
      await call((c) =>
        c.updateShareGroupConfig('chain', {
          autoOffsetReset: 'earliest',
          recordLockDurationMs: 1_000,
          deliveryCountLimit: 1_000,
        }),
      );
      const spawn = async (slot: number) => {
        const worker = await spawnFixture('dist/test/fixtures/chain-worker.js', {
          SHOAL_URL: cluster.url(slot),
          PREFIX: 'chain',
          GROUP: 'chain',
          SHOAL_OPTIONS: JSON.stringify({ concurrency: 20, maxWaitMs: 200, sessionTimeoutMs: 1_000 }),
        });
        workers.push(worker);
        return worker;
      };
      /** Workers up, each with the broker it talks to; a replacement joins them once it listens. */
      const live: { worker: WorkerProcess; slot: number }[] = [];
      const join = async (slot: number) => {
        // A worker starts only against a broker that answers (its start-up asks the broker); one
        // whose broker was killed while it started is started again.
        for (let attempt = 1; ; attempt++) {
          await until(() => cluster.isUp(slot), Math.max(1_000, deadline - Date.now()));
          try {
            live.push({ worker: await spawn(slot), slot });
            return;
          } catch (error) {
            if (attempt === 3) throw error;
          }
        }
      };
      await Promise.all([...Array(WORKERS).keys()].map((i) => join(i % brokers)));
      /** Replacements and restarts under way: the inputs keep coming meanwhile. */
      const pending: Promise<void>[] = [];
      const doneCount = async () =>
        (await call((c) => c.describeTopic(topic('done')))).partitions.reduce((n, p) => n + p.endOffset, 0);

      // The inputs arrive in batches while the chain runs (a produce sent again after a broker's
      // kill is a duplicate of its idempotency key, not a second input). Chaos right after some
      // of the batches, while their jobs run through the chain: a worker SIGKILLed at a random
      // moment and replaced, or a broker SIGKILLed (its workers lose it until it is back).
      const events = [
        ...Array<'worker'>(WORKER_KILLS).fill('worker'),
        ...Array<'broker'>(BROKER_KILLS).fill('broker'),
      ].sort(() => random.next() - 0.5);
      const eventAfter = new Map(
        events.map((event, k) => [Math.floor(((k + 1) * INPUT_BATCHES) / (events.length + 1)), event]),
      );
      const batch = Math.ceil(JOBS / INPUT_BATCHES);
      for (let b = 0; b * batch < JOBS; b++) {
        const ids = Array.from({ length: Math.min(batch, JOBS - b * batch) }, (_, i) => b * batch + i);
        await call((c) =>
          c.produce(
            topic('step1'),
            ids.map((id) => ({ key: String(id), value: { id }, idempotencyKey: `input-${id}` })),
          ),
        );
        await sleep(random.int(INPUT_EVERY_MS));
        const event = eventAfter.get(b);
        if (event === 'worker' && live.length > 0) {
          const [{ worker, slot }] = live.splice(random.int(live.length), 1);
          worker.child.kill('SIGKILL');
          pending.push(worker.exited.then(() => join(slot)));
        } else if (event === 'broker') {
          const slot = random.int(brokers);
          await cluster.stop(slot, 'SIGKILL');
          pending.push(sleep(300 + random.int(700)).then(() => cluster.restart(slot)));
        }
      }
      await Promise.all(pending);
      await until(async () => (await doneCount()) >= JOBS, Math.max(1_000, deadline - Date.now()));

      for (const step of STEPS.slice(1)) {
        const seen = new Map<number, number>();
        for (let partition = 0; partition < PARTITIONS; partition++) {
          for (let offset = 0; ;) {
            const { records, nextOffset } = await call((c) =>
              c.read(topic(step), partition, { offset, maxRecords: 10_000 }),
            );
            if (records.length === 0) break;
            for (const record of records) {
              const { id } = record.value as { id: number };
              seen.set(id, (seen.get(id) ?? 0) + 1);
            }
            offset = nextOffset;
          }
        }
        const twice = [...seen].filter(([, count]) => count !== 1);
        const missing = Array.from({ length: JOBS }, (_, id) => id).filter((id) => !seen.has(id));
        expect({ step, twice, missing, size: seen.size }).toEqual({ step, twice: [], missing: [], size: JOBS });
      }
    },
    SUITE_MS,
  );
});
