/* global process, console, Buffer, performance, setTimeout, setInterval, clearInterval, URL */
// Event-loop probe (issue 17, the database off the event loop): `node bench/event-loop-probe.mjs [dist]`
// runs the built broker of `dist` (default ./dist) in this process, on a fresh SQLite file
// (FULL), with load from a child process: 16 loops of single-record produces at 25/s each
// (~400 records/s when the broker keeps up), a share group of 2 members (fetch 50, acks
// piggy-backed, long poll), a consumer group member (long poll + commit), 10 long-poll readers
// and a /metrics scrape each second. Prints the event-loop delay (monitorEventLoopDelay,
// 1 ms resolution) p50/p99/max, produce latency, throughputs and the peak RSS, as JSON.
// Plain JS and given a dist folder so that two builds can be compared in turn.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import http from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';

const SECONDS = Number(process.env.PROBE_SECONDS ?? 20);

if (process.argv[2] === 'load') await load(process.argv[3]);
else await broker(pathToFileURL(resolvePath(process.argv[2] ?? 'dist')).href);

async function broker(dist) {
  const dir = mkdtempSync(join(tmpdir(), 'elprobe-'));
  process.env.DATABASE_URL = `sqlite:${join(dir, 'shoal.db')}`;
  process.env.SHOAL_LOG = 'silent';
  (await import('node:module')).createRequire(new URL('x.js', `${dist}/`))('reflect-metadata');
  const { createApp } = await import(`${dist}/src/app.factory.js`);
  const { loadConfig } = await import(`${dist}/src/config/shoal-config.js`);
  const config = { ...loadConfig(), port: 0, host: '127.0.0.1' };
  const app = await createApp({ config });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const child = fork(new URL(import.meta.url).pathname, ['load', url], { stdio: 'inherit' });
  const h = monitorEventLoopDelay({ resolution: 1 });
  let rss = 0;
  const rssTimer = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 250);
  child.on('message', (m) => {
    if (m === 'start') h.enable();
  });
  const result = await new Promise((resolve) => child.on('message', (m) => typeof m === 'object' && resolve(m)));
  h.disable();
  clearInterval(rssTimer);
  const ms = (n) => (n / 1e6).toFixed(1);
  console.log(
    JSON.stringify({
      dist,
      eventLoop: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) },
      ...result,
      rssMB: Math.round(rss / 2 ** 20),
    }),
  );
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

async function load(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const call = (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        url + path,
        { method, agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            resolve({ status: res.statusCode, body: text ? (text.startsWith('{') ? JSON.parse(text) : text) : null });
          });
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  const topic = 'probe';
  await call('POST', '/v1/topics', { name: topic, partitions: 4 });
  await call('PATCH', '/v1/share-groups/probe-share/config', { autoOffsetReset: 'earliest' }).catch(() => undefined);
  let running = true;
  const produceMs = [];
  const tasks = [];
  // produce: 16 loops, each 25 single-record requests per second.
  for (let p = 0; p < 16; p++)
    tasks.push(
      (async () => {
        let next = performance.now();
        while (running) {
          next += 40;
          const t = performance.now();
          await call('POST', `/v1/topics/${topic}/records`, {
            records: [{ key: `k${Math.random()}`, value: { n: 1, s: 'x'.repeat(80) } }],
          });
          produceMs.push(performance.now() - t);
          const wait = next - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      })(),
    );
  let shared = 0;
  for (let m = 0; m < 2; m++)
    tasks.push(
      (async () => {
        const { body } = await call('POST', '/v1/share-groups/probe-share/members', { topics: [topic] });
        let acks = [];
        while (running) {
          const r = await call('POST', `/v1/share-groups/probe-share/members/${body.memberId}/fetch`, {
            maxRecords: 50,
            maxWaitMs: 500,
            acks,
          });
          const records = r.body.records ?? [];
          shared += records.length;
          acks = records.map((x) => ({ topic, partition: x.partition, offset: x.offset, type: 'accept' }));
        }
      })(),
    );
  let consumed = 0;
  tasks.push(
    (async () => {
      const { body: member } = await call('POST', '/v1/consumer-groups/probe-consumer/members', {
        topics: [topic],
        autoOffsetReset: 'earliest',
      });
      while (running) {
        const r = await call('POST', `/v1/consumer-groups/probe-consumer/members/${member.memberId}/fetch`, {
          maxRecords: 500,
          maxWaitMs: 500,
        });
        const records = r.body.records ?? [];
        consumed += records.length;
        if (records.length === 0) continue;
        const last = new Map();
        for (const x of records)
          last.set(`${x.topic}:${x.partition}`, { topic: x.topic, partition: x.partition, offset: x.offset + 1 });
        await call('POST', '/v1/consumer-groups/probe-consumer/offsets', {
          memberId: member.memberId,
          generation: r.body.generation,
          offsets: [...last.values()],
        });
      }
    })(),
  );
  for (let l = 0; l < 10; l++)
    tasks.push(
      (async () => {
        const partition = l % 4;
        let offset = 0;
        while (running) {
          const r = await call(
            'GET',
            `/v1/topics/${topic}/partitions/${partition}/records?offset=${offset}&maxRecords=100&maxWaitMs=1000`,
          );
          const records = r.body?.records ?? [];
          if (records.length > 0) offset = records[records.length - 1].offset + 1;
        }
      })(),
    );
  tasks.push(
    (async () => {
      while (running) {
        await call('GET', '/metrics');
        await new Promise((r) => setTimeout(r, 1000));
      }
    })(),
  );
  await new Promise((r) => setTimeout(r, 3000));
  produceMs.length = 0;
  process.send('start');
  const started = performance.now();
  const before = { shared, consumed };
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const seconds = (performance.now() - started) / 1000;
  const produced = produceMs.length;
  const sorted = [...produceMs].sort((a, b) => a - b);
  const pct = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  const result = {
    producedPerS: Math.round(produced / seconds),
    produceMs: { p50: pct(0.5), p99: pct(0.99), max: sorted[sorted.length - 1].toFixed(1) },
    sharedPerS: Math.round((shared - before.shared) / seconds),
    consumedPerS: Math.round((consumed - before.consumed) / seconds),
  };
  running = false;
  process.send(result);
  setTimeout(() => process.exit(0), 1500);
}
