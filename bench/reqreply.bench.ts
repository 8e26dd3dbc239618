import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, EventPattern, MessagePattern, Payload, Transport } from '@nestjs/microservices';
import { appendFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { lastValueFrom } from 'rxjs';
import { ShoalClient, ShoalServer } from '@shoal/transport';
import { fmt, freePort, printTable, startBenchBroker } from './harness.js';
import { printDifferences, type Summary, summarize } from './stats.js';

// `npm run bench:reqreply`: one broker (SQLite), worker and caller in this process, one call at a
// time, the rows taking turns call by call. Shoal's send → answer (ShoalClient.send to a @MessagePattern handler, share mode) beside
// emit → handler (ShoalClient.emit to an @EventPattern handler) and beside Nest's own
// Transport.KAFKA (ClientKafka.send, ServerKafka) through Shoal's Kafka listener. Prints, asserts nothing.
// BENCH_REQREPLY_ROWS picks rows (e.g. `share,kafka`: the others only add load); with share and kafka
// both timed it prints a bootstrap interval of their p50 and p99 differences; BENCH_REQREPLY_SAMPLES
// appends every timed call to a file (a JSON line per run, BENCH_REQREPLY_LABEL names it) that
// `node dist/bench/reqreply-pool.js <file>` pools over runs.
const CALLS = Number(process.env.BENCH_REQREPLY_CALLS ?? 4_000);
const WARMUP = 20;
const ROW_NAMES = ['emit', 'share', 'consumer', 'kafka'] as const;
type RowName = (typeof ROW_NAMES)[number];
const ROWS = (process.env.BENCH_REQREPLY_ROWS ?? ROW_NAMES.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean) as RowName[];
for (const name of ROWS)
  if (!ROW_NAMES.includes(name)) throw new Error(`BENCH_REQREPLY_ROWS: unknown row ${name} (${ROW_NAMES.join(', ')})`);
const LABELS: Record<RowName, string> = {
  emit: 'Shoal emit → @EventPattern handler',
  share: 'Shoal send → answer (share mode)',
  consumer: 'Shoal send → answer (consumer mode)',
  kafka: 'Transport.KAFKA ClientKafka.send → answer (Kafka listener)',
};

let eventArrived: ((at: number) => void) | undefined;
/** When the last request's handler ran (same clock as the caller's: one process). */
let handledAt = 0;
/** Per row: its calls that came right after a call of its own, and those after another row's. */
const afterItself: number[][] = ROWS.map(() => []);
const afterOther: number[][] = ROWS.map(() => []);
/** Per row, per timed request: ms from send to its handler, and from its handler to the answer. */
const halves = new Map<string, { toHandler: number[]; toAnswer: number[] }>();

@Controller()
class ShoalHandlers {
  @MessagePattern('rr-sum')
  sum(@Payload() numbers: number[]): number {
    handledAt = performance.now();
    return numbers.reduce((a, b) => a + b, 0);
  }
}

@Controller()
class EventHandlers {
  @EventPattern('rr-event')
  event(@Payload() _data: unknown): void {
    eventArrived?.(performance.now());
  }
}

@Controller()
class ConsumerModeHandlers {
  @MessagePattern('rrc-sum')
  sum(@Payload() numbers: number[]): number {
    handledAt = performance.now();
    return numbers.reduce((a, b) => a + b, 0);
  }
}

@Controller()
class KafkaHandlers {
  @MessagePattern('krr-sum')
  sum(@Payload() numbers: number[]): number {
    handledAt = performance.now();
    return numbers.reduce((a, b) => a + b, 0);
  }
}

@Module({ controllers: [ShoalHandlers] })
class ShoalWorkerModule {}

@Module({ controllers: [EventHandlers] })
class EventWorkerModule {}

@Module({ controllers: [ConsumerModeHandlers] })
class ConsumerWorkerModule {}

@Module({ controllers: [KafkaHandlers] })
class KafkaWorkerModule {}

/**
 * Times each path CALLS times after WARMUP untimed calls, one call at a time, the paths taking
 * turns call by call, each round in a shuffled order (so each path follows each other one, and
 * whatever work it leaves behind, as often): a change of load on a shared machine falls on
 * every row alike. Answers each path's ms, call by call (the i-th of every path in the same round).
 */
async function timeTogether(paths: (() => Promise<number>)[]): Promise<number[][]> {
  const ms: number[][] = paths.map(() => []);
  const order = paths.map((_, k) => k);
  let previous = -1;
  for (let i = 0; i < WARMUP + CALLS; i++) {
    for (let j = order.length - 1; j > 0; j--) {
      const r = Math.floor(Math.random() * (j + 1));
      [order[j], order[r]] = [order[r], order[j]];
    }
    for (const k of order) {
      const took = await paths[k]();
      if (i >= WARMUP) {
        ms[k].push(took);
        (previous === k ? afterItself : afterOther)[k].push(took);
      }
      previous = k;
    }
  }
  return ms;
}

/** One request for the sum of [1, 2, 3], timed: answers its ms. */
async function sum(row: string, ask: () => Promise<number | string>): Promise<number> {
  const sentAt = performance.now();
  const answer = Number(await ask());
  const answeredAt = performance.now();
  if (answer !== 6) throw new Error(`wrong answer ${answer}`);
  let half = halves.get(row);
  if (!half) halves.set(row, (half = { toHandler: [], toAnswer: [] }));
  half.toHandler.push(handledAt - sentAt);
  half.toAnswer.push(answeredAt - handledAt);
  return answeredAt - sentAt;
}

const rows: (string | number)[][] = [];
const row = (label: string, t: Summary) => rows.push([label, fmt(t.p50, 1), fmt(t.p99, 1), fmt(t.mean, 1)]);

console.log(
  `Shoal request/reply bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, ${CALLS} sequential calls each, rows ${ROWS.join(',')}`,
);
const kafkaPort = await freePort();
const broker = await startBenchBroker({ SHOAL_KAFKA_PORT: String(kafkaPort) });
const apps: INestMicroservice[] = [];
/** Starts a row's worker (each row has its own: no row's worker does another's work). */
async function worker(module: object, strategy: ShoalServer): Promise<void> {
  const app = await NestFactory.createMicroservice(module as never, { strategy, logger: false });
  await app.listen();
  apps.push(app);
}
try {
  for (const name of ['rr-sum', 'rrc-sum', 'rr-event', 'krr-sum', 'krr-sum.reply'])
    await broker.client.createTopic({ name, partitions: 1 });
  const shoal = new ShoalClient({ url: broker.url });
  await shoal.connect();
  const closing: (() => Promise<unknown>)[] = [() => shoal.close()];
  const paths: Record<RowName, () => Promise<() => Promise<number>>> = {
    emit: async () => {
      await worker(EventWorkerModule, new ShoalServer({ url: broker.url, mode: 'share', group: 'rr-event-bench' }));
      return async () => {
        const arrived = new Promise<number>((resolve) => (eventArrived = resolve));
        const sentAt = performance.now();
        await lastValueFrom(shoal.emit('rr-event', { at: sentAt }));
        return (await arrived) - sentAt;
      };
    },
    share: async () => {
      await worker(ShoalWorkerModule, new ShoalServer({ url: broker.url, mode: 'share', group: 'rr-bench' }));
      return () => sum('share', () => lastValueFrom(shoal.send<number>('rr-sum', [1, 2, 3])));
    },
    consumer: async () => {
      await worker(ConsumerWorkerModule, new ShoalServer({ url: broker.url, mode: 'consumer', group: 'rrc-bench' }));
      return () => sum('consumer', () => lastValueFrom(shoal.send<number>('rrc-sum', [1, 2, 3])));
    },
    kafka: async () => {
      const kafkaWorker = await NestFactory.createMicroservice(KafkaWorkerModule, {
        transport: Transport.KAFKA,
        options: { client: { brokers: [`127.0.0.1:${kafkaPort}`] }, consumer: { groupId: 'krr-server' } },
        logger: false,
      });
      await kafkaWorker.listen();
      apps.push(kafkaWorker);
      const kafka = new ClientKafka({
        client: { clientId: 'krr', brokers: [`127.0.0.1:${kafkaPort}`] },
        consumer: { groupId: 'krr-client' },
      });
      kafka.subscribeToResponseOf('krr-sum');
      await kafka.connect();
      closing.push(() => kafka.close());
      // ClientKafka hands the answer as Kafka carried it: the text "6".
      return () => sum('kafka', () => lastValueFrom(kafka.send<number | string>('krr-sum', [1, 2, 3])));
    },
  };
  const timed: (() => Promise<number>)[] = [];
  for (const name of ROWS) timed.push(await paths[name]());
  const samples = await timeTogether(timed);
  for (const [k, name] of ROWS.entries()) row(LABELS[name], summarize(samples[k]));
  for (const close of closing) await close();
  printTable('Request/reply latency (ms)', ['path', 'p50', 'p99', 'mean'], rows);
  const byName = Object.fromEntries(ROWS.map((name, k) => [name, samples[k]])) as Partial<Record<RowName, number[]>>;
  if (byName.share && byName.kafka) printDifferences(byName.share, byName.kafka);
  const halfRows = [...halves].map(([name, half]) => {
    const [a, b] = [summarize(half.toHandler.slice(WARMUP)), summarize(half.toAnswer.slice(WARMUP))];
    return [name, fmt(a.p50, 2), fmt(a.p99, 2), fmt(a.mean, 2), fmt(b.p50, 2), fmt(b.p99, 2), fmt(b.mean, 2)];
  });
  // One row alone has no calls after another row's.
  if (ROWS.length > 1)
    printTable(
      'After a call of its own row, after another row’s: p50 / p99 (ms)',
      ['row', 'calls after its own', 'p50', 'p99', 'p50', 'p99'],
      ROWS.map((name, k) => {
        const [own, other] = [summarize(afterItself[k]), summarize(afterOther[k])];
        return [name, afterItself[k].length, fmt(own.p50, 2), fmt(own.p99, 2), fmt(other.p50, 2), fmt(other.p99, 2)];
      }),
    );
  printTable(
    'Halves: send → handler, handler → answer (ms)',
    ['row', 'p50', 'p99', 'mean', 'p50', 'p99', 'mean'],
    halfRows,
  );
  if (process.env.BENCH_REQREPLY_SAMPLES) {
    const round = (sample: number[]) => sample.map((ms) => Math.round(ms * 1000) / 1000);
    const line = {
      label: process.env.BENCH_REQREPLY_LABEL ?? process.cwd(),
      at: new Date().toISOString(),
      load: loadavg()[0],
      rows: Object.fromEntries(ROWS.map((name, k) => [name, round(samples[k])])),
    };
    appendFileSync(process.env.BENCH_REQREPLY_SAMPLES, `${JSON.stringify(line)}\n`);
  }
} finally {
  for (const app of apps) await app.close().catch(() => undefined);
  await broker.stop();
}
process.exit(0);
