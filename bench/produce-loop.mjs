/* global process, console, fetch, setTimeout, performance */
// The peer kit's enqueue loop against a fresh broker, with the broker's CPU per request: starts
// `node dist/src/main.js` of REPO (default: this checkout, built) on a fresh SQLite file, then
// ROUNDS rounds of N records produced with @shoal/client, CHUNK per request, one request after
// another (the kit's first round is a fresh broker's: cold code). Prints per round the records/s
// and the broker process's CPU ms per request (all its threads, from /proc). PROF=<dir> runs the
// broker under --cpu-prof; NODE_FLAGS adds node flags to the broker's (e.g. --trace-gc); FIRST=15
// prints the first round's first 15 requests' times. DATABASE_URL=postgres://… runs the broker on
// that PostgreSQL instead (e.g. the kit's: a new topic each run, the database kept); PG_PID=<its
// postmaster's pid> adds PostgreSQL's CPU per request (the postmaster and its children, from /proc).
// usage: npm run build && node bench/produce-loop.mjs   (env: REPO, N=50000, CHUNK=1000, ROUNDS=3, PROF, NODE_FLAGS, FIRST, DATABASE_URL, PG_PID)
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = process.env.REPO ?? process.cwd();
const N = Number(process.env.N ?? 50_000);
const CHUNK = Number(process.env.CHUNK ?? 1_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const require = createRequire(join(repo, 'package.json'));
const { ShoalHttpClient } = await import(pathToFileURL(require.resolve('@shoal/client')).href);

const dir = mkdtempSync(join(tmpdir(), 'shoal-produce-loop-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const prof = process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [];
const flags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);
const first = Number(process.env.FIRST ?? 0);
const broker = spawn('node', [...flags, ...prof, 'dist/src/main.js'], {
  cwd: repo,
  stdio: ['ignore', openSync(join(dir, 'broker.log'), 'a'), openSync(join(dir, 'broker.log'), 'a')],
  env: {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: process.env.DATABASE_URL?.startsWith('postgres')
      ? process.env.DATABASE_URL
      : `sqlite:${join(dir, 'shoal.db')}`,
  },
});
process.on('exit', () => broker.kill('SIGKILL'));
const url = `http://127.0.0.1:${port}`;
for (;;) {
  if (broker.exitCode !== null) throw new Error(`the broker exited; log in ${dir}/broker.log`);
  const up = await fetch(`${url}/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (up) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/** The kit's job: a JSON value whose encoding is 100 bytes. */
function payload(i) {
  const value = { i, s: '' };
  value.s = 'x'.repeat(100 - JSON.stringify(value).length);
  return value;
}

/** CPU ms of the broker process so far (utime + stime of all its threads, in clock ticks of 10 ms). */
function brokerCpuMs() {
  const fields = readFileSync(`/proc/${broker.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU ms of PostgreSQL's processes so far when PG_PID (the postmaster's pid) is given: it and its children. */
function pgCpuMs() {
  if (!process.env.PG_PID) return 0;
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      if (pid === process.env.PG_PID || fields[1] === process.env.PG_PID)
        ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks * 10;
}

const http = new ShoalHttpClient({ url });
const topic = `produce-loop-${Date.now()}`;
await http.createTopic({ name: topic, partitions: 4 });
for (let round = 1; round <= ROUNDS; round++) {
  const started = performance.now();
  const cpu = brokerCpuMs();
  const pgCpu = pgCpuMs();
  const times = [];
  for (let from = 0; from < N; from += CHUNK) {
    const records = [];
    for (let i = from; i < Math.min(N, from + CHUNK); i++) records.push({ value: payload(i) });
    const sent = performance.now();
    if (process.env.TRACE_CLIENT && round === 1 && times.length < first)
      console.log(`TRACE ${(performance.timeOrigin + sent).toFixed(2)} client-send`);
    await http.produce(topic, records);
    if (process.env.TRACE_CLIENT && round === 1 && times.length < first)
      console.log(`TRACE ${(performance.timeOrigin + performance.now()).toFixed(2)} client-got`);
    if (round === 1 && times.length < first) times.push((performance.now() - sent).toFixed(1));
  }
  if (times.length > 0) console.log(`round 1, first ${times.length} requests, ms: ${times.join(' ')}`);
  const rate = Math.round((N / (performance.now() - started)) * 1000);
  const requests = Math.ceil(N / CHUNK);
  const perRequest = (brokerCpuMs() - cpu) / requests;
  const pg = process.env.PG_PID ? `, PostgreSQL CPU ${((pgCpuMs() - pgCpu) / requests).toFixed(2)} ms per request` : '';
  console.log(`round ${round}: ${rate} records/s, broker CPU ${perRequest.toFixed(2)} ms per request${pg}`);
}
await http.close();
if (flags.length > 0) console.log(`broker log: ${dir}/broker.log`);
broker.kill('SIGTERM');
await new Promise((resolve) => broker.once('exit', resolve));
