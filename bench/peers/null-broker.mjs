/* global process, Buffer, setTimeout, clearTimeout */
// The ceiling of any Node.js HTTP broker in the peer kit's Shoal scripts: the routes the kit's
// `bench-shoal.mjs` (bare HTTP) and `bench-shoal-transport.mjs` (@shoal/client and a NestJS
// worker on @shoal/transport) use, with the shapes of the HTTP contract, served by node:http
// from memory. No storage, no validation, no framework — JSON.parse of every body and
// JSON.stringify of every answer is all it does. What the kit's client reaches against it is
// the most any broker speaking this contract over HTTP/JSON could show in that run on that machine.
//
// NULL_FSYNC=1 adds the least a durable broker must also do: every produce (its body's bytes)
// and every request carrying acks is answered only after it was appended to a file and
// fdatasync'd (group commit: one flush covers every request that arrived before it started).
//
// env: PORT (required), HOST (127.0.0.1), NULL_FSYNC (0), DATABASE_URL (sqlite:<dir>/x.db: the
// flushed file goes beside it; else the OS temp directory).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const durable = process.env.NULL_FSYNC === '1';

/** topic name → { partitions, queue of acquired-record objects waiting, waiters, next offsets } */
const topics = new Map();
const groups = new Map(); // group → topic names its members subscribed to
let memberSeq = 0;

function topicOf(name, partitions = 1) {
  let t = topics.get(name);
  if (!t) {
    t = { name, partitions, queue: [], head: 0, waiters: new Set(), next: new Array(partitions).fill(0), spread: 0 };
    topics.set(name, t);
  }
  return t;
}

// --- the durable variant's group commit ---
const dir = process.env.DATABASE_URL?.startsWith('sqlite:')
  ? path.dirname(process.env.DATABASE_URL.slice('sqlite:'.length))
  : os.tmpdir();
const logFd = durable ? fs.openSync(path.join(dir, `null-broker-${process.pid}.log`), 'a') : -1;
let pending = []; // { bytes, resolve, reject } waiting for the next flush
let flushing = false;
/** Resolves once `bytes` (a Buffer, or text) is in the file and flushed. */
function persist(bytes) {
  if (!durable) return null;
  return new Promise((resolve, reject) => {
    pending.push({ bytes: typeof bytes === 'string' ? Buffer.from(`${bytes}\n`) : bytes, resolve, reject });
    if (!flushing) flushLoop();
  });
}
function flushLoop() {
  flushing = true;
  const batch = pending;
  pending = [];
  fs.writev(
    logFd,
    batch.map((p) => p.bytes),
    (error) => {
      if (error) return settle(batch, error);
      fs.fdatasync(logFd, (syncError) => settle(batch, syncError));
    },
  );
}
function settle(batch, error) {
  for (const p of batch) {
    if (error) p.reject(error);
    else p.resolve();
  }
  if (pending.length > 0) flushLoop();
  else flushing = false;
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function take(t, max) {
  const n = Math.min(max, t.queue.length - t.head);
  const out = t.queue.slice(t.head, t.head + n);
  t.head += n;
  if (t.head > 65_536 && t.head * 2 > t.queue.length) {
    t.queue = t.queue.slice(t.head);
    t.head = 0;
  }
  const lockExpiresAt = Date.now() + 30_000;
  for (const r of out) r.lockExpiresAt = lockExpiresAt;
  return out;
}

const groupConfig = (change = {}) => ({
  recordLockDurationMs: 30_000,
  deliveryCountLimit: 5,
  maxInFlightRecordsPerPartition: 2_000,
  autoOffsetReset: 'latest',
  deadLetterTopic: null,
  ...change,
});

const topicView = (t) => ({
  name: t.name,
  config: { retentionMs: null, retentionBytes: null },
  partitions: t.next.map((end, partition) => ({ partition, startOffset: 0, endOffset: end })),
});

async function route(req, body, res, raw) {
  const parts = req.url.split('?')[0].split('/').filter(Boolean); // v1, ...
  if (req.method === 'GET' && parts[0] === 'health') return send(res, 200, { status: 'ok' });
  if (parts[0] !== 'v1') return send(res, 404, { error: 'NOT_FOUND' });
  if (parts[1] === 'topics' && parts.length === 2 && req.method === 'POST')
    return send(res, 201, topicView(topicOf(body.name, body.partitions ?? 1)));
  if (parts[1] === 'topics' && parts.length === 2 && req.method === 'GET')
    return send(res, 200, { topics: [...topics.values()].map(topicView) });
  if (parts[1] === 'topics' && parts.length === 3 && req.method === 'GET') {
    const t = topics.get(decodeURIComponent(parts[2]));
    return t
      ? send(res, 200, topicView(t))
      : send(res, 404, { error: { code: 'UNKNOWN_TOPIC', message: 'no such topic' } });
  }
  if (parts[1] === 'topics' && parts[3] === 'records' && req.method === 'POST') {
    const t = topicOf(decodeURIComponent(parts[2]));
    const now = Date.now();
    const offsets = [];
    const added = [];
    for (const r of body.records) {
      const partition = r.partition ?? t.spread++ % t.partitions;
      const offset = t.next[partition]++;
      offsets.push({ partition, offset });
      added.push({
        topic: t.name,
        partition,
        offset,
        timestamp: r.timestamp ?? now,
        key: r.key ?? null,
        headers: r.headers ?? {},
        value: r.value,
        deliveryCount: 1,
        lockExpiresAt: 0,
      });
    }
    await persist(raw);
    for (const r of added) t.queue.push(r);
    send(res, 200, { offsets });
    for (const wake of [...t.waiters]) wake();
    return;
  }
  if (parts[1] === 'share-groups') {
    const group = decodeURIComponent(parts[2]);
    if (parts[3] === 'config') return send(res, 200, groupConfig(body));
    if (parts.length === 3 && req.method === 'GET')
      return send(res, 200, { group, state: 'Stable', config: groupConfig(), members: [], lag: [] });
    if (parts[3] === 'members' && parts.length === 5 && req.method === 'DELETE') return send(res, 200, {});
    if (parts[5] === 'heartbeat' || parts[5] === 'progress') return send(res, 200, {});
    if (parts[3] === 'members' && parts.length === 4) {
      groups.set(group, body.topics);
      const assignment = body.topics.flatMap((name) =>
        topicOf(name).next.map((_, partition) => ({ topic: name, partition })),
      );
      return send(res, 201, { memberId: `m-${++memberSeq}`, assignment, heartbeatIntervalMs: 3_000 });
    }
    const acks = body.acks ?? [];
    const ackResults = acks.map((a) => ({
      topic: a.topic,
      partition: a.partition,
      offset: a.offset,
      ...(a.lastOffset === undefined ? {} : { lastOffset: a.lastOffset }),
      error: null,
    }));
    if (acks.length > 0) await persist(`${acks.length} acks`); // an ack's few bytes, flushed like a durable broker's
    if (parts[5] === 'acks') return send(res, 200, { ackResults });
    if (parts[5] === 'fetch') {
      const t = topicOf(groups.get(group)?.[0] ?? '');
      const max = body.maxRecords ?? 500;
      let records = take(t, max);
      if (records.length === 0 && (body.maxWaitMs ?? 0) > 0) {
        records = await new Promise((resolve) => {
          const wake = () => {
            const got = take(t, max);
            if (got.length === 0) return;
            done(got);
          };
          const done = (got) => {
            clearTimeout(timer);
            t.waiters.delete(wake);
            resolve(got);
          };
          const timer = setTimeout(() => done([]), body.maxWaitMs);
          t.waiters.add(wake);
        });
      }
      return send(res, 200, { records, ackResults });
    }
  }
  return send(res, 404, { error: 'NOT_FOUND' });
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let body = {};
      const raw = Buffer.concat(chunks);
      try {
        if (chunks.length > 0) body = JSON.parse(raw.toString());
      } catch {
        return send(res, 400, { error: 'INVALID_REQUEST' });
      }
      route(req, body, res, raw).catch((error) => send(res, 500, { error: String(error) }));
    });
  })
  .listen(port, host);
