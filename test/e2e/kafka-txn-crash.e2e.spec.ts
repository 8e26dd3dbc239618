import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { KafkaTransactions } from '../../src/kafka/transactions/kafka-transactions.service.js';
import { type BrokerProcess, freePort, spawnBroker } from '../support/broker-process.js';
import { createTestStorage, STORAGE_KINDS, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';
import { spawnFixture, type WorkerProcess } from '../support/worker-process.js';

const WORKER = 'dist/test/fixtures/kafka-txn-worker.js';
const INPUTS = 120;

/** The worker's lines: the harness types only its own events. */
const said = (worker: WorkerProcess, event: string) =>
  (worker.events as unknown as { event: string }[]).some((e) => e.event === event);

/**
 * Exactly once through Kafka transactions, with processes killed (issue 26): a KafkaJS
 * consume-transform-produce worker (`eachBatch`, `sendOffsets`) is SIGKILLed inside a
 * transaction — once after its send, once after its sendOffsets, both before the commit — and
 * restarted with the same transactional id. Every input's output is there exactly once, and a
 * read_committed consumer that watched the output topic all along never saw a record twice or
 * one of the killed transactions' records.
 */
describe.each(STORAGE_KINDS)(`${KafkaTransactions.name}: consume-transform-produce under SIGKILL on %s`, (kind) => {
  let dir: string;
  let storage: TestStorage | undefined;
  let broker: BrokerProcess;
  let bootstrap: string;
  const workers: WorkerProcess[] = [];
  let watcher: Consumer | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-txn-crash-'));
    let url = `sqlite:${join(dir, 'shoal.db')}`;
    if (kind === 'postgres') {
      storage = await createTestStorage('postgres');
      url = storage.storage.url;
    }
    const port = await freePort();
    bootstrap = `127.0.0.1:${port}`;
    broker = await spawnBroker(url, undefined, {
      SHOAL_KAFKA_PORT: String(port),
      SHOAL_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    });
  });
  afterAll(async () => {
    await watcher?.disconnect().catch(() => undefined);
    for (const worker of workers) worker.child.kill('SIGKILL');
    broker.child.kill('SIGKILL');
    await storage?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const startWorker = (env: Record<string, string> = {}) =>
    spawnFixture(WORKER, {
      KAFKA_BROKER: bootstrap,
      IN_TOPIC: 'ctp-in',
      OUT_TOPIC: 'ctp-out',
      GROUP: 'ctp',
      TXN_ID: 'ctp-worker',
      CHUNK: '10',
      ...env,
    }).then((worker) => {
      workers.push(worker);
      return worker;
    });

  async function killWhenHung(worker: WorkerProcess): Promise<void> {
    await until(() => said(worker, 'hung') || worker.child.exitCode !== null, 20_000);
    if (!said(worker, 'hung')) throw new Error(`the worker ended before it hung: ${worker.log()}`);
    worker.child.kill('SIGKILL');
    await worker.exited;
  }

  it('produces every input exactly once and shows no killed transaction to a read_committed consumer', async () => {
    await broker.client.createTopic({ name: 'ctp-in', partitions: 2 });
    await broker.client.createTopic({ name: 'ctp-out', partitions: 2 });
    await broker.client.produce(
      'ctp-in',
      Array.from({ length: INPUTS }, (_, id) => ({ key: String(id), value: { id } })),
    );

    const kafka = new Kafka({ clientId: 'txn-watcher', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    watcher = kafka.consumer({ groupId: 'ctp-watcher', readUncommitted: false });
    await watcher.connect();
    await watcher.subscribe({ topic: 'ctp-out', fromBeginning: true });
    const seen: number[] = [];
    await watcher.run({
      eachMessage: async ({ message }) => {
        seen.push((JSON.parse(message.value!.toString()) as { id: number }).id);
      },
    });

    await killWhenHung(await startWorker({ HANG_AT: 'send', HANG_AFTER: '3' }));
    await killWhenHung(await startWorker({ HANG_AT: 'offsets', HANG_AFTER: '2' }));
    const last = await startWorker();
    await until(async () => {
      const group = await broker.client.describeConsumerGroup('ctp');
      const committed = group.offsets
        .filter((o) => o.topic === 'ctp-in')
        .reduce((n, o) => n + (o.committedOffset ?? 0), 0);
      return committed === INPUTS;
    }, 30_000);
    await until(() => seen.length >= INPUTS, 15_000);

    const out = await Promise.all(
      [0, 1].map(
        async (partition) => (await broker.client.read('ctp-out', partition, { offset: 0, maxRecords: 1_000 })).records,
      ),
    );
    const ids = out.flat().map((r) => (r.value as { id: number }).id);
    expect(ids).toHaveLength(INPUTS);
    expect(new Set(ids).size).toBe(INPUTS);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: INPUTS }, (_, id) => id));
    expect(said(last, 'committed')).toBe(true);
  });
});
