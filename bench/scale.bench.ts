import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShoalHttpClient } from '@shoal/client';
import type { Acknowledgement } from '@shoal/protocol';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/shoal-config.js';
import type { AppendRecord } from '../src/log/domain/record.js';
import { LogAppender } from '../src/log/log-appender.js';
import { RetentionService } from '../src/log/retention.service.js';
import { ShareGroupService } from '../src/share-groups/share-group.service.js';
import { Database } from '../src/storage/database.js';
import { fmt, percentile, printTable } from './harness.js';

const BIG = Number(process.env.BENCH_SCALE_RECORDS ?? 10_000_000);
const SMALL = 1_000;
const IN_FLIGHT = Number(process.env.BENCH_SCALE_IN_FLIGHT ?? 1_000_000);
/** Timed requests per case, each of BATCH records: 500 records from the position on. */
const SAMPLES = 100;
const BATCH = 5;
const FILL_CHUNK = 50_000;
/** Share-partitions of the crowd: each group holds up to 10,000 records in flight per partition. */
const CROWD_PARTITIONS = 25;
const CROWD_PER_PARTITION = 10_000;

interface InProcessBroker {
  app: NestFastifyApplication;
  client: ShoalHttpClient;
  dir: string;
  close(): Promise<void>;
}

/** The broker in this process (its services callable), on a SQLite file in a temp dir, synchronous=FULL. */
async function startInProcess(): Promise<InProcessBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-scale-'));
  process.env.SHOAL_LOG = 'silent';
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'scale.db')}`, SHOAL_LOG: 'silent' });
  const app = await createApp({ config });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const client = new ShoalHttpClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 120_000 });
  return {
    app,
    client,
    dir,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Appends `count` records of 32-byte values to partition 0 through the log appender, FILL_CHUNK per transaction. */
async function fill(broker: InProcessBroker, topic: string, count: number): Promise<void> {
  const database = broker.app.get(Database);
  const appender = broker.app.get(LogAppender);
  const record: AppendRecord = {
    key: null,
    value: `"${'v'.repeat(30)}"`,
    headers: null,
    timestamp: null,
    partition: 0,
    size: 32,
  };
  for (let done = 0; done < count; done += FILL_CHUNK) {
    const records = Array.from({ length: Math.min(FILL_CHUNK, count - done) }, () => record);
    await database.transaction((sql) => appender.append(sql, [{ topic, records }]));
  }
}

async function timed(samples: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const at = performance.now();
    await op(i);
    ms.push(performance.now() - at);
  }
  return ms.sort((a, b) => a - b);
}

/** Read, consumer fetch and share fetch of BATCH records at `from`, SAMPLES times each, moving on. */
async function fetchCosts(client: ShoalHttpClient, topic: string, from: number, name: string) {
  const read = await timed(SAMPLES, (i) => client.read(topic, 0, { offset: from + i * BATCH, maxRecords: BATCH }));

  const consumerGroup = `scale-consumer-${name}`;
  const first = await client.joinConsumerGroup(consumerGroup, { topics: [topic] }); // creates the group
  await client.leaveConsumerGroup(consumerGroup, first.memberId);
  await client.resetConsumerGroupOffsets(consumerGroup, { topic, partition: 0, to: { offset: from } });
  const { memberId: consumer } = await client.joinConsumerGroup(consumerGroup, { topics: [topic] });
  await client.consumerHeartbeat(consumerGroup, consumer);
  const consume = await timed(SAMPLES, () =>
    client.consumerFetch(consumerGroup, consumer, { maxRecords: BATCH, maxWaitMs: 0 }),
  );
  await client.leaveConsumerGroup(consumerGroup, consumer);

  const shareGroup = `scale-share-${name}`;
  await client.updateShareGroupConfig(shareGroup, { autoOffsetReset: 'earliest' });
  await client.resetShareGroupOffsets(shareGroup, { topic, partition: 0, to: { offset: from } });
  const { memberId: member } = await client.joinShareGroup(shareGroup, { topics: [topic] });
  let acks: Acknowledgement[] = [];
  const share = await timed(SAMPLES, async () => {
    const answer = await client.shareFetch(shareGroup, member, { maxRecords: BATCH, maxWaitMs: 0, acks });
    acks = answer.records.map((r) => ({ topic, partition: r.partition, offset: r.offset, type: 'accept' as const }));
  });
  await client.leaveShareGroup(shareGroup, member);
  return { read, consume, share };
}

/** A fetch from a partition of BIG records against one of SMALL, at the end and in the middle. */
async function benchBigPartition(): Promise<void> {
  const broker = await startInProcess();
  try {
    const { client } = broker;
    await client.createTopic({ name: 'scale-small', partitions: 1 });
    await client.createTopic({ name: 'scale-big', partitions: 1 });
    await fill(broker, 'scale-small', SMALL);
    const started = performance.now();
    await fill(broker, 'scale-big', BIG);
    const setupS = (performance.now() - started) / 1000;
    const fileMb = statSync(join(broker.dir, 'scale.db')).size / 2 ** 20;
    console.log(
      `\nscale: ${fmt(BIG)} records appended through LogAppender in ${fmt(setupS, 1)} s (${fmt(BIG / setupS)} records/s, ${FILL_CHUNK.toLocaleString('en-US')} per transaction), file ${fmt(fileMb)} MB`,
    );
    const span = SAMPLES * BATCH;
    const rows: (string | number)[][] = [];
    for (const where of ['end', 'middle'] as const) {
      const at = (n: number) => (where === 'middle' ? Math.floor(n / 2) - span / 2 : n - span);
      const small = await fetchCosts(client, 'scale-small', at(SMALL), `small-${where}`);
      const big = await fetchCosts(client, 'scale-big', at(BIG), `big-${where}`);
      for (const op of ['read', 'consume', 'share'] as const) {
        const s = percentile(small[op], 50);
        const b = percentile(big[op], 50);
        rows.push([op, where, fmt(s, 2), fmt(b, 2), fmt(percentile(big[op], 90), 2), fmt(b / s, 2)]);
      }
    }
    printTable(
      `Fetch cost by partition size (${BATCH} records per request, ${SAMPLES} sequential requests, median ms)`,
      ['operation', 'position', `${fmt(SMALL)} records`, `${fmt(BIG)} records`, `${fmt(BIG)} p90`, 'ratio'],
      rows,
    );
  } finally {
    await broker.close();
  }
}

/** Acquires every record of `topic` for `groups` groups with 1 h locks: records in flight that no sweep may touch. */
async function holdInFlight(client: ShoalHttpClient, topic: string, groups: string[], records: number): Promise<void> {
  for (const group of groups) {
    await client.updateShareGroupConfig(group, {
      autoOffsetReset: 'earliest',
      recordLockDurationMs: 3_600_000,
      maxInFlightRecordsPerPartition: 10_000,
    });
    const { memberId } = await client.joinShareGroup(group, { topics: [topic], sessionTimeoutMs: 3_600_000 });
    for (let held = 0; held < records;) {
      const answer = await client.shareFetch(group, memberId, { maxRecords: 10_000, maxWaitMs: 0 });
      if (answer.records.length === 0) break;
      held += answer.records.length;
    }
  }
}

/** Median ms of each sweep: nothing to do, 100 expired locks in one small group, a retention trim of 10,000 records. */
async function sweepCosts(broker: InProcessBroker, round: number) {
  const { client, app } = broker;
  const shares = app.get(ShareGroupService);
  const retention = app.get(RetentionService);
  const idle = await timed(20, () => shares.sweep(Date.now()));
  const probe = `sweep-probe-${round}`;
  await client.createTopic({ name: probe, partitions: 1 });
  await client.produce(
    probe,
    Array.from({ length: 100 }, (_, i) => ({ value: i })),
  );
  await client.updateShareGroupConfig(probe, { autoOffsetReset: 'earliest', recordLockDurationMs: 1_000 });
  const { memberId } = await client.joinShareGroup(probe, { topics: [probe], sessionTimeoutMs: 3_600_000 });
  const expiry: number[] = [];
  for (let i = 0; i < 4; i++) {
    await client.shareFetch(probe, memberId, { maxRecords: 100, maxWaitMs: 0 });
    const at = performance.now();
    await shares.sweep(Date.now() + 1_500);
    expiry.push(performance.now() - at);
  }
  const aged = `sweep-aged-${round}`;
  await client.createTopic({ name: aged, partitions: 1, config: { retentionMs: 3_600_000 } });
  const old = Date.now() - 7_200_000;
  for (let i = 0; i < 10; i++)
    await client.produce(
      aged,
      Array.from({ length: 1_000 }, (_, n) => ({ value: n, timestamp: old })),
    );
  const trimAt = performance.now();
  const trimmed = await retention.sweep(Date.now());
  const trim = performance.now() - trimAt;
  const retentionIdle = await timed(20, () => retention.sweep(Date.now()));
  return {
    idle: percentile(idle, 50),
    expiry: percentile(
      expiry.sort((a, b) => a - b),
      50,
    ),
    trim: trimmed === 10_000 ? trim : Number.NaN,
    retentionIdle: percentile(retentionIdle, 50),
  };
}

/** Lock-expiry and retention sweeps with 1,000 vs IN_FLIGHT records in flight in other groups. */
async function benchSweeps(): Promise<void> {
  const broker = await startInProcess();
  try {
    const { client } = broker;
    await client.createTopic({ name: 'crowd-small', partitions: 1 });
    await client.produce(
      'crowd-small',
      Array.from({ length: 1_000 }, (_, i) => ({ value: i })),
    );
    await holdInFlight(client, 'crowd-small', ['crowd-small'], 1_000);
    const few = await sweepCosts(broker, 1);

    const perGroup = CROWD_PARTITIONS * CROWD_PER_PARTITION;
    const groups = Array.from({ length: Math.ceil(IN_FLIGHT / perGroup) }, (_, i) => `crowd-${i}`);
    await client.createTopic({ name: 'crowd', partitions: CROWD_PARTITIONS });
    const started = performance.now();
    const batch = Array.from({ length: 1_000 }, (_, i) => ({ value: i }));
    for (let i = 0; i < perGroup / 1_000; i++) await client.produce('crowd', batch);
    await holdInFlight(client, 'crowd', groups, perGroup);
    const setupS = (performance.now() - started) / 1000;
    console.log(
      `\nsweeps: ${fmt(groups.length * perGroup)} records put in flight (${groups.length} groups × ${CROWD_PARTITIONS} partitions × ${fmt(CROWD_PER_PARTITION)}, 1 h locks) in ${fmt(setupS, 1)} s`,
    );
    const many = await sweepCosts(broker, 2);
    const row = (name: string, a: number, b: number) => [name, fmt(a, 2), fmt(b, 2), fmt(b / a, 2)];
    printTable(
      `Sweep cost with records in flight in other groups (median ms)`,
      ['sweep', '1,000 in flight', `${fmt(groups.length * perGroup)} in flight`, 'ratio'],
      [
        row('lock expiry, nothing expired', few.idle, many.idle),
        row('lock expiry, 100 expired in one group', few.expiry, many.expiry),
        row('retention, nothing to trim', few.retentionIdle, many.retentionIdle),
        row('retention, trim 10,000 records', few.trim, many.trim),
      ],
    );
  } finally {
    await broker.close();
  }
}

/** `BENCH_ONLY=scale`: the big-partition fetch bench and the sweep bench, each on a broker in this process. */
export async function benchScale(): Promise<void> {
  await benchBigPartition();
  await benchSweeps();
}
