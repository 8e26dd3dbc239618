import { type BenchBroker, fmt, percentile, printTable } from './harness.js';

const RECORDS = 400;
const SPACING_MS = 5;

/**
 * How late the broker appends records produced with `deliverAt` (test/e2e/jobs.e2e.spec.ts checks
 * the behaviour with a bound a busy machine keeps; the target, p99 under 100 ms, is measured here).
 * Nothing reads while they fall due: the lateness is the scheduler's own.
 */
export async function benchScheduledLateness(broker: BenchBroker): Promise<void> {
  const topic = 'scheduled-bench';
  await broker.client.createTopic({ name: topic, partitions: 2 });
  const start = Date.now() + 500;
  const records = Array.from({ length: RECORDS }, (_, i) => ({ value: i, deliverAt: start + i * SPACING_MS }));
  await broker.client.produce(topic, records);
  await new Promise((resolve) => setTimeout(resolve, start + RECORDS * SPACING_MS + 500 - Date.now()));
  const lateness: number[] = [];
  for (let attempt = 0; lateness.length < RECORDS && attempt < 100; attempt++) {
    lateness.length = 0;
    for (const partition of [0, 1]) {
      const read = await broker.client.read(topic, partition, { offset: 0, maxRecords: RECORDS });
      for (const r of read.records) lateness.push(r.timestamp - records[r.value as number].deliverAt);
    }
    if (lateness.length < RECORDS) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  lateness.sort((a, b) => a - b);
  printTable(
    `Scheduled records: lateness of ${RECORDS} records due ${SPACING_MS} ms apart (target p99 < 100 ms)`,
    ['appended', 'min ms', 'p50 ms', 'p99 ms', 'max ms'],
    [
      [
        lateness.length,
        fmt(lateness[0] ?? NaN, 0),
        fmt(percentile(lateness, 50), 0),
        fmt(percentile(lateness, 99), 0),
        fmt(lateness[lateness.length - 1] ?? NaN, 0),
      ],
    ],
  );
}
