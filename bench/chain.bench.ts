import type { AckResult, ShareFetchResponse } from '@shoal/protocol';
import { type BenchBroker, fmt, percentile, printTable, startBenchBroker } from './harness.js';
import { HttpLoad } from './http-load.js';
import { startPostgres } from './postgres.js';

const JOBS = Number(process.env.BENCH_CHAIN_JOBS ?? 20_000);
const MEMBERS = 8;
const BATCH = 100;

/** How a worker gets a job's output produced and the job accepted. */
type Mode = 'produce, then accept' | 'accept+produce per entry' | 'accept+produce per request';

/**
 * Issue 26's cost: a step of a job chain (each job produces one record for the next step) done
 * the plain way — produce the batch's outputs, then accept the batch on the next fetch — against
 * the transactional ways — each accept entry carrying its own output (what `ctx.produce` sends),
 * or the batch's accepts as one range with the request's own produce list. Members fetch 100
 * at a time with acks piggy-backed, as the share-group bench; the table gives jobs/s and the time
 * from a batch's fetch to its accept (and output) being durable.
 */
export async function benchChain(): Promise<void> {
  const modes: Mode[] = ['produce, then accept', 'accept+produce per entry', 'accept+produce per request'];
  const rows: (string | number)[][] = [];
  const postgres = await startPostgres();
  try {
    for (const [storage, env] of [
      ['SQLite', {}],
      ['PostgreSQL', { DATABASE_URL: postgres.url }],
    ] as const) {
      const broker = await startBenchBroker(env);
      try {
        for (const mode of modes) rows.push([storage, mode, ...(await run(broker, mode))]);
      } finally {
        await broker.stop();
      }
    }
  } finally {
    await postgres.stop();
  }
  printTable(
    `Job chaining: a step's output and its accept (${fmt(JOBS)} jobs, ${MEMBERS} members, fetches of ${BATCH})`,
    ['storage', 'mode', 'jobs/s', 'fetch→done p50 ms', 'p99 ms'],
    rows,
  );
}

let runs = 0;

async function run(broker: BenchBroker, mode: Mode): Promise<(string | number)[]> {
  const load = new HttpLoad(broker.url);
  const [topic, out, group] = [`chain-in-${++runs}`, `chain-out-${runs}`, `chain-${runs}`];
  await broker.client.createTopic({ name: topic, partitions: 4 });
  await broker.client.createTopic({ name: out, partitions: 4 });
  const body = JSON.stringify({
    records: Array.from({ length: 1_000 }, (_, i) => ({ key: `k${i}`, value: { id: i, pad: 'v'.repeat(80) } })),
  });
  for (let i = 0; i < JOBS / 1_000; i++) await load.request('POST', `/v1/topics/${topic}/records`, body);
  await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest' });
  const members: string[] = [];
  for (let i = 0; i < MEMBERS; i++)
    members.push((await broker.client.joinShareGroup(group, { topics: [topic] })).memberId);

  let done = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    members.map(async (memberId) => {
      const path = `/v1/share-groups/${group}/members/${memberId}`;
      let held: ShareFetchResponse['records'] = [];
      let fetchedAt = 0;
      /** The acks (and produce list) the next request carries for the jobs held. */
      const settle = async (): Promise<Record<string, unknown>> => {
        if (held.length === 0) return { acks: [] };
        const accept = (r: (typeof held)[number]) => ({
          topic,
          partition: r.partition,
          offset: r.offset,
          type: 'accept',
        });
        const output = (r: (typeof held)[number]) => ({ key: r.key, value: { from: r.offset } });
        if (mode === 'produce, then accept') {
          await load.request('POST', `/v1/topics/${out}/records`, JSON.stringify({ records: held.map(output) }));
          return { acks: held.map(accept) };
        }
        if (mode === 'accept+produce per entry')
          return { acks: held.map((r) => ({ ...accept(r), produce: [{ topic: out, records: [output(r)] }] })) };
        return { acks: held.map(accept), produce: [{ topic: out, records: held.map(output) }] };
      };
      for (;;) {
        const settling = held.length;
        const request = { ...(await settle()), maxRecords: BATCH, maxWaitMs: done + settling >= JOBS ? 0 : 50 };
        const answer = JSON.parse(await load.request('POST', `${path}/fetch`, JSON.stringify(request))) as {
          records: ShareFetchResponse['records'];
          ackResults: AckResult[];
        };
        const now = performance.now();
        const applied = answer.ackResults.filter((r) => r.error === null).length;
        if (applied > 0) {
          done += applied;
          latencies.push(now - fetchedAt);
        }
        fetchedAt = now;
        held = answer.records;
        if (held.length === 0 && done >= JOBS) break;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const produced = (await broker.client.describeTopic(out)).partitions.reduce((n, p) => n + p.endOffset, 0);
  if (produced !== JOBS) throw new Error(`${mode}: ${produced} outputs for ${JOBS} jobs`);
  for (const m of members) await broker.client.leaveShareGroup(group, m);
  load.close();
  return [fmt(done / seconds), fmt(percentile(latencies, 50), 1), fmt(percentile(latencies, 99), 1)];
}
