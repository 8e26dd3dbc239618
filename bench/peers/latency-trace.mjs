/* global process, console, setTimeout, URL */
// The peer kit's latency phase alone (LAT_N jobs emitted one at a time with ShoalClient, a
// share-mode ShoalServer worker, concurrency 50), on the kit's PostgreSQL, with every time on one
// clock (performance.timeOrigin + now(), as SHOAL_SQL_TRACE's first line allows for the broker):
// per job the emit's send and answer and the handler's start, per fetch of the worker its send,
// answer and offsets; the CPU per job of the broker (its process group), of PostgreSQL and of
// this process, from /proc. Writes OUT/jobs.json (and OUT/trace.txt with TRACE=1); prints a
// summary line. bench/peers/latency-breakdown.mjs takes a job's time apart from both files.
//   cd <kit copy> && SHOAL_REPO=<checkout> PG_PORT=5452 OUT=/tmp/t1 TRACE=1 node <repo>/bench/peers/latency-trace.mjs
// BROKER_CMD (see the kit's broker.mjs) replaces `npm start`, e.g. `exec node dist/src/main.js`.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
const kit = pathToFileURL(`${process.cwd()}/`).href;
const { payload, latencyStats, deferred } = await import(new URL('lib.mjs', kit).href);
const { startBroker } = await import(new URL('broker.mjs', kit).href);
const T = () => performance.timeOrigin + performance.now();
const LAT_N = Number(process.env.LAT_N || 2000);
const repo = process.env.SHOAL_REPO;
const out = process.env.OUT;
mkdirSync(out, { recursive: true });
const req = createRequire(join(repo, 'package.json'));
const load = async (name) => import(pathToFileURL(req.resolve(name)).href);
await load('reflect-metadata');
const client = await load('@shoal/client');
const { ShoalServer, ShoalClient } = await load('@shoal/transport');
const { NestFactory } = await load('@nestjs/core');
const { Module, Controller } = await load('@nestjs/common');
const { EventPattern } = await load('@nestjs/microservices');
const { lastValueFrom } = await load('rxjs');
function cpuTicks(pred) {
  let t = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (pred(Number(d), comm, f)) t += Number(f[11]) + Number(f[12]);
    } catch {
      /* a process gone meanwhile */
    }
  }
  return t * 10;
}
const db = `postgres://postgres@127.0.0.1:${process.env.PG_PORT}/bench`;
const env = {
  DATABASE_URL: db,
  ...(process.env.TRACE ? { SHOAL_SQL_TRACE: `${out}/trace.txt` } : {}),
  ...(process.env.BROKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BROKER_NODE_OPTIONS } : {}),
};
const broker = await startBroker({ repo, env });
const pgid = broker.child.pid;
const fetches = [];
const orig = client.ShoalHttpClient.prototype.shareFetch;
client.ShoalHttpClient.prototype.shareFetch = async function (...args) {
  const f = { sent: T(), acks: args[2]?.acks?.length ?? 0 };
  fetches.push(f);
  const a = await orig.apply(this, args);
  f.answered = T();
  f.n = a.records.length;
  f.offsets = a.records.map((r) => r.offset);
  return a;
};
const tag = `${process.pid}-${Date.now()}`;
const http = new client.ShoalHttpClient({ url: broker.url });
const lt = `lat-${tag}`;
await http.createTopic({ name: lt, partitions: 1 });
const sent = new Float64Array(LAT_N),
  resolved = new Float64Array(LAT_N),
  started = new Float64Array(LAT_N);
let seen = 0;
const done = deferred();
class Jobs {
  handle(data) {
    started[data.i] = T();
    if (++seen === LAT_N) done.resolve();
  }
}
EventPattern(lt)(Jobs.prototype, 'handle', Object.getOwnPropertyDescriptor(Jobs.prototype, 'handle'));
Controller()(Jobs);
class JobsModule {}
Module({ controllers: [Jobs] })(JobsModule);
const app = await NestFactory.createMicroservice(JobsModule, {
  strategy: new ShoalServer({ url: broker.url, mode: 'share', group: `lg-${tag}`, concurrency: 50 }),
  logger: false,
});
await app.listen();
await new Promise((r) => setTimeout(r, 200));
const producer = new ShoalClient({ url: broker.url });
await producer.connect();
const pgPred = (pid, comm) => comm === 'postgres';
const b0 = cpuTicks((pid, c, f) => Number(f[2]) === pgid),
  p0 = cpuTicks(pgPred),
  s0 = process.cpuUsage(),
  w0 = T();
for (let i = 0; i < LAT_N; i++) {
  sent[i] = T();
  await lastValueFrom(producer.emit(lt, payload(i)));
  resolved[i] = T();
}
await done.promise;
const wall = T() - w0,
  s1 = process.cpuUsage(s0);
const b1 = cpuTicks((pid, c, f) => Number(f[2]) === pgid),
  p1 = cpuTicks(pgPred);
await app.close();
await producer.close();
await http.close?.().catch(() => {});
await broker.stop();
const lat = latencyStats(Array.from(started, (s, i) => s - sent[i]));
const res = {
  lat,
  wall_ms: wall,
  cpu_per_job_ms: {
    broker: (b1 - b0) / LAT_N,
    postgres: (p1 - p0) / LAT_N,
    bench: (s1.user + s1.system) / 1000 / LAT_N,
  },
  fetches_per_job: fetches.length / LAT_N,
};
console.log(JSON.stringify(res));
writeFileSync(
  `${out}/jobs.json`,
  JSON.stringify({ sent: [...sent], resolved: [...resolved], started: [...started], fetches, res }),
);
setTimeout(() => process.exit(), 300).unref();
