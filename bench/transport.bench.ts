import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ShoalClient, ShoalServer, type ShoalServerOptions } from '@shoal/transport';
import { type BenchBroker, fmt, percentile, printTable } from './harness.js';

const JOBS = Number(process.env.BENCH_TRANSPORT_JOBS ?? 100_000);
/** `drain` runs the drain figure alone (BullMQ's way), `e2e` the end-to-end one alone, `latency` add → handler alone. */
const MODE = process.env.BENCH_TRANSPORT_MODE;
const CONCURRENCY = 50;
/**
 * The worker's `prefetch` (its throughput mode): 200 records per fetch, the transport's default
 * before fair prefetch became it; `BENCH_TRANSPORT_PREFETCH=none` measures the fair default.
 */
const PREFETCH =
  process.env.BENCH_TRANSPORT_PREFETCH === 'none' ? undefined : Number(process.env.BENCH_TRANSPORT_PREFETCH ?? 200);
const TOPIC = 'transport-bench';
/** About 100 bytes of JSON per job, as the peer benches send. */
const payload = (i: number) => ({ job: i, pad: 'x'.repeat(80) });
let handled = 0;
/** Set while the latency run listens: called with each job's payload as its handler starts. */
let onJob: ((data: { t?: number }) => void) | undefined;

@Controller()
class TrivialWorker {
  @EventPattern<string>(TOPIC)
  handle(@Payload() data: { t?: number }): void {
    handled++;
    onJob?.(data);
  }
}

@Module({ controllers: [TrivialWorker] })
class TrivialWorkerModule {}

async function startWorker(options: ShoalServerOptions) {
  const worker = await NestFactory.createMicroservice(TrivialWorkerModule, {
    strategy: new ShoalServer(options),
    logger: false,
  });
  await worker.listen();
  return worker;
}

async function until(count: number): Promise<void> {
  while (handled < count) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** Emits `JOBS` records in rounds of 1,000 emits at once (the client batches them); answers the seconds. */
async function enqueue(client: ShoalClient): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < JOBS; i += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, JOBS - i) }, (_, j) => lastValueFrom(client.emit(TOPIC, payload(i + j)))),
    );
  }
  return (performance.now() - started) / 1000;
}

/**
 * BullMQ's process rate, measured its way: every job enqueued first, then one worker (share
 * mode, concurrency 50, default settings otherwise — the new group starts at `earliest`) timed
 * from `listen()` (join included) until every job was handled.
 */
async function drain(broker: BenchBroker, client: ShoalClient): Promise<(string | number)[]> {
  const producedS = await enqueue(client);
  handled = 0;
  const started = performance.now();
  const worker = await startWorker({
    url: broker.url,
    mode: 'share',
    group: 'transport-drain',
    concurrency: CONCURRENCY,
    prefetch: PREFETCH,
  });
  await until(JOBS);
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await checkAllAccepted(broker, 'transport-drain');
  const batch = PREFETCH === undefined ? 'default (fair)' : `prefetch ${PREFETCH}`;
  return ['drain (enqueued first)', batch, fmt(JOBS), fmt(producedS, 2), fmt(JOBS / seconds)];
}

/** Every job accepted (the group's start offsets at the log's end) and none handled twice. */
async function checkAllAccepted(broker: BenchBroker, group: string): Promise<void> {
  const { partitions } = await broker.client.describeShareGroup(group);
  const accepted = partitions.reduce((sum, p) => sum + p.startOffset, 0);
  if (accepted !== JOBS || handled !== JOBS) throw new Error(`${handled} handled, ${accepted} accepted of ${JOBS}`);
}

/**
 * Jobs end to end: a ShoalClient emitting (batched emits) into a running worker of concurrency
 * 50, both in this process, the broker in its own; producing and handling at once.
 */
async function endToEnd(broker: BenchBroker, client: ShoalClient, prefetch?: number): Promise<(string | number)[]> {
  const group = `transport-e2e-${prefetch ?? 'default'}`;
  // The group starts where the records already in the topic end.
  await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'latest' });
  const worker = await startWorker({ url: broker.url, mode: 'share', group, concurrency: CONCURRENCY, prefetch });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the group's share-partitions start at the log end
  handled = 0;
  const started = performance.now();
  const producedS = await enqueue(client);
  await until(JOBS);
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  const batch = prefetch === undefined ? 'default (fair)' : `prefetch ${prefetch}`;
  return ['end to end (produce + handle)', batch, fmt(JOBS), fmt(producedS, 2), fmt(JOBS / seconds)];
}

const LATENCY_JOBS = Number(process.env.BENCH_TRANSPORT_LATENCY_JOBS ?? 1_000);

/**
 * The peer kit's latency, measured its way: jobs emitted one at a time (each awaited) while a
 * worker (share mode, concurrency 50, defaults) waits; add → handler start.
 */
async function latency(broker: BenchBroker, client: ShoalClient): Promise<(string | number)[]> {
  const group = 'transport-latency';
  await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'latest' });
  const worker = await startWorker({ url: broker.url, mode: 'share', group, concurrency: CONCURRENCY });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const samples: number[] = [];
  onJob = (data) => {
    if (data.t !== undefined) samples.push(performance.now() - data.t);
  };
  for (let i = 0; i < LATENCY_JOBS; i++)
    await lastValueFrom(client.emit(TOPIC, { ...payload(i), t: performance.now() }));
  while (samples.length < LATENCY_JOBS) await new Promise((resolve) => setTimeout(resolve, 5));
  onJob = undefined;
  await worker.close();
  samples.sort((a, b) => a - b);
  const [p50, p99] = [percentile(samples, 50), percentile(samples, 99)];
  return [`${fmt(LATENCY_JOBS)} jobs one at a time`, fmt(p50, 2), fmt(p99, 2), fmt(samples[samples.length - 1], 2)];
}

/** The NestJS transport: one worker (concurrency 50, trivial handler) draining a backlog, and end to end. */
export async function benchTransport(broker: BenchBroker): Promise<void> {
  await broker.client.createTopic({ name: TOPIC, partitions: 4 });
  const client = new ShoalClient({ url: broker.url });
  await client.connect();
  const rows: (string | number)[][] = [];
  // First, on the empty topic: the drain's new group starts at `earliest`.
  if (MODE === undefined || MODE === 'drain') rows.push(await drain(broker, client));
  if (MODE === undefined || MODE === 'e2e') {
    rows.push(await endToEnd(broker, client));
    rows.push(await endToEnd(broker, client, 200));
  }
  const latencyRow = MODE === undefined || MODE === 'latency' ? await latency(broker, client) : undefined;
  await client.close();
  printTable(
    'Jobs through the NestJS transport (one worker, concurrency 50, trivial handler; the broker in its own process)',
    ['measured', 'fetch batch', 'jobs', 'produced in s', 'jobs/s'],
    rows,
  );
  if (latencyRow)
    printTable(
      'Transport add → handler start (as the peer kit measures it)',
      ['jobs', 'p50 ms', 'p99 ms', 'max ms'],
      [latencyRow],
    );
}
