import { cpus } from 'node:os';
import type { Acknowledgement, ShareFetchResponse } from '@shoal/protocol';
import { type BenchBroker, fmt, percentile, printTable, startBenchBroker } from './harness.js';
import { HttpLoad } from './http-load.js';
import { startPostgres } from './postgres.js';

// `npm run bench:scale`: several brokers on one PostgreSQL (embedded, or BENCH_DATABASE_URL). Prints figures, asserts nothing.
const SAMPLES = Number(process.env.BENCH_WAKE_SAMPLES ?? 500);
const SHARE_RECORDS = Number(process.env.BENCH_SHARE_RECORDS ?? 60_000);
const DRAIN_RUNS = Number(process.env.BENCH_DRAIN_RUNS ?? 3);
const MEMBERS = 6;
const PARTITIONS = 6;

/**
 * Produce on `writer`, a long-polling read on `reader`, one record at a time: the wake-up
 * latency, from the produce request's start (commit included) and from its answer (the commit
 * is acknowledged; the read may even answer first, then 0).
 */
async function wakeUp(
  writer: BenchBroker,
  reader: BenchBroker,
  topic: string,
): Promise<{ fromRequest: number[]; fromAnswer: number[] }> {
  await writer.client.createTopic({ name: topic, partitions: 1 });
  const fromRequest: number[] = [];
  const fromAnswer: number[] = [];
  for (let offset = 0; offset < SAMPLES; offset++) {
    let answeredAt = 0;
    const read = reader.client.read(topic, 0, { offset, maxWaitMs: 5_000 }).then((answer) => {
      answeredAt = performance.now();
      return answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // the read is waiting
    const sent = performance.now();
    await writer.client.produce(topic, [{ value: offset }]);
    const committed = performance.now();
    const answer = await read;
    if (answer.records.length === 0) throw new Error('the long poll ran out instead of waking');
    fromRequest.push(answeredAt - sent);
    fromAnswer.push(Math.max(0, answeredAt - committed));
  }
  const sort = (s: number[]) => s.sort((a, b) => a - b);
  return { fromRequest: sort(fromRequest), fromAnswer: sort(fromAnswer) };
}

/** Share-group drain: `MEMBERS` members over the given brokers (round-robin), fetches of 100, acks piggy-backed. */
async function drain(brokers: BenchBroker[], name: string): Promise<number> {
  const topic = name;
  await brokers[0].client.createTopic({ name: topic, partitions: PARTITIONS });
  const loads = brokers.map((b) => new HttpLoad(b.url));
  const body = JSON.stringify({
    records: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(98) })),
  });
  for (let i = 0; i < SHARE_RECORDS / 1000; i++) await loads[0].request('POST', `/v1/topics/${topic}/records`, body);
  await brokers[0].client.updateShareGroupConfig(name, { autoOffsetReset: 'earliest' });
  const members: { id: string; load: HttpLoad }[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const broker = brokers[i % brokers.length];
    members.push({
      id: (await broker.client.joinShareGroup(name, { topics: [topic] })).memberId,
      load: loads[i % brokers.length],
    });
  }
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    members.map(async ({ id, load }) => {
      let acks: Acknowledgement[] = [];
      while (accepted < SHARE_RECORDS) {
        const text = await load.request(
          'POST',
          `/v1/share-groups/${name}/members/${id}/fetch`,
          JSON.stringify({ maxRecords: 100, maxWaitMs: 50, acks }),
        );
        const answer = JSON.parse(text) as ShareFetchResponse;
        accepted += answer.ackResults.filter((r) => r.error === null).length;
        acks = answer.records.map((r) => ({
          topic,
          partition: r.partition,
          offset: r.offset,
          type: 'accept' as const,
        }));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const load of loads) load.close();
  return accepted / seconds;
}

console.log(`Shoal scale-out bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
const postgres = await startPostgres();
const brokers: BenchBroker[] = [];
try {
  for (let i = 0; i < 3; i++) brokers.push(await startBenchBroker({ DATABASE_URL: postgres.url }));
  const same = await wakeUp(brokers[0], brokers[0], 'wake-same');
  const cross = await wakeUp(brokers[0], brokers[1], 'wake-cross');
  const row = (label: string, s: number[]) => [
    label,
    fmt(percentile(s, 50), 2),
    fmt(percentile(s, 99), 2),
    fmt(s[s.length - 1], 2),
  ];
  printTable(
    `Produce → long-poll read wake-up on PostgreSQL (${SAMPLES} samples)`,
    ['reader', 'measured from', 'p50 ms', 'p99 ms', 'max ms'].filter((_, i) => i !== 1),
    [
      row('same broker, from the produce request', same.fromRequest),
      row('same broker, from the produce answer', same.fromAnswer),
      row('other broker, from the produce request', cross.fromRequest),
      row('other broker, from the produce answer', cross.fromAnswer),
    ],
  );
  // Alternating runs, the median of each: on a shared 2-core machine one run is noise.
  const runs: { one: number[]; three: number[] } = { one: [], three: [] };
  for (let run = 0; run < DRAIN_RUNS; run++) {
    runs.one.push(await drain(brokers.slice(0, 1), `drain-one-${run}`));
    runs.three.push(await drain(brokers, `drain-three-${run}`));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  printTable(
    `Share-group drain on one PostgreSQL: ${fmt(SHARE_RECORDS)} records, ${PARTITIONS} partitions, ${MEMBERS} members, ${DRAIN_RUNS} alternating runs`,
    ['brokers', 'median records/s', 'runs'],
    [
      ['1', fmt(median(runs.one)), runs.one.map((x) => fmt(x)).join(' / ')],
      ['3 (members spread round-robin)', fmt(median(runs.three)), runs.three.map((x) => fmt(x)).join(' / ')],
    ],
  );
} finally {
  for (const broker of brokers) await broker.stop();
  await postgres.stop();
}
