import type { ProduceRecord } from '@shoal/protocol';
import { type BenchBroker, fmt, percentile, printTable, runFor } from './harness.js';
import { HttpLoad } from './http-load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

function records(count: number, valueBytes: number): ProduceRecord[] {
  // A JSON string value of exactly `valueBytes` bytes (quotes included).
  const value = 'v'.repeat(valueBytes - 2);
  return Array.from({ length: count }, () => ({ value }));
}

/** Produce throughput over HTTP for each value size, batch size and client count. */
export async function benchProduce(broker: BenchBroker): Promise<void> {
  const load = new HttpLoad(broker.url);
  const rows: (string | number)[][] = [];
  for (const valueBytes of [100, 1024]) {
    for (const batch of [1, 100, 1000]) {
      for (const clients of [1, 16]) {
        const topic = `produce-${valueBytes}-${batch}-${clients}`;
        await broker.client.createTopic({ name: topic, partitions: 4 });
        const body = JSON.stringify({ records: records(batch, valueBytes) });
        const { units, elapsedS } = await runFor(SECONDS, clients, async () => {
          await load.request('POST', `/v1/topics/${topic}/records`, body);
          return batch;
        });
        const perSecond = units / elapsedS;
        rows.push([
          `${valueBytes} B`,
          batch,
          clients,
          fmt(perSecond),
          fmt((perSecond * valueBytes) / 1e6, 1),
          fmt(perSecond / batch),
        ]);
      }
    }
  }
  load.close();
  // The same small-request load through the typed fetch-based client, for comparison.
  await broker.client.createTopic({ name: 'produce-client', partitions: 4 });
  const one = records(1, 100);
  const viaClient = await runFor(
    SECONDS,
    16,
    async () => (await broker.client.produce('produce-client', one)).offsets.length,
  );
  rows.push([
    '100 B',
    1,
    '16 (libs/client)',
    fmt(viaClient.units / viaClient.elapsedS),
    fmt(((viaClient.units / viaClient.elapsedS) * 100) / 1e6, 1),
    fmt(viaClient.units / viaClient.elapsedS),
  ]);
  printTable(
    'Produce (SQLite, synchronous=FULL, over HTTP)',
    ['value', 'batch', 'clients', 'records/s', 'MB/s', 'requests/s'],
    rows,
  );
}

/** Sequential reads of 500 records from one partition. */
export async function benchRead(broker: BenchBroker): Promise<void> {
  const topic = 'read-bench';
  await broker.client.createTopic({ name: topic, partitions: 1 });
  const body = records(1000, 100);
  for (let i = 0; i < 200; i++) await broker.client.produce(topic, body);
  const rows: (string | number)[][] = [];
  for (const readers of [1, 4]) {
    let offset = 0;
    const { units, elapsedS } = await runFor(SECONDS, readers, async () => {
      const from = offset;
      offset = (offset + 500) % 199_500;
      return (await broker.client.read(topic, 0, { offset: from, maxRecords: 500 })).records.length;
    });
    rows.push([readers, 500, fmt(units / elapsedS), fmt(((units / elapsedS) * 100) / 1e6, 1)]);
  }
  printTable('Read by offset (100-byte values)', ['readers', 'maxRecords', 'records/s', 'MB/s'], rows);
}

/** Produce→read latency: one record at a time, a reader long-polling the partition. */
export async function benchLatency(broker: BenchBroker): Promise<void> {
  const topic = 'latency-bench';
  await broker.client.createTopic({ name: topic, partitions: 1 });
  const samples: number[] = [];
  const total = 1000;
  let stop = false;
  const reader = (async () => {
    let offset = 0;
    while (!stop) {
      const answer = await broker.client.read(topic, 0, { offset, maxWaitMs: 1000 });
      const now = performance.now();
      for (const record of answer.records) samples.push(now - (record.value as number));
      offset = answer.nextOffset;
    }
  })();
  for (let i = 0; i < total; i++) {
    await broker.client.produce(topic, [{ value: performance.now() }]);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  while (samples.length < total) await new Promise((resolve) => setTimeout(resolve, 10));
  stop = true;
  await reader;
  samples.sort((a, b) => a - b);
  printTable(
    'Produce → long-poll read latency (1 record at a time, 1,000 samples)',
    ['p50 ms', 'p99 ms', 'max ms'],
    [[fmt(percentile(samples, 50), 2), fmt(percentile(samples, 99), 2), fmt(samples[samples.length - 1], 2)]],
  );
}
