import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, EventPattern, MessagePattern, Payload, Transport } from '@nestjs/microservices';
import { cpus, loadavg } from 'node:os';
import { lastValueFrom } from 'rxjs';
import { ShoalClient, ShoalServer } from '@shoal/transport';
import { fmt, freePort, percentile, printTable, startBenchBroker } from './harness.js';

// `npm run bench:reqreply`: one broker (SQLite), worker and caller in this process, one call at a
// time, the rows taking turns call by call. Shoal's send → answer (ShoalClient.send to a @MessagePattern handler, share mode) beside
// emit → handler (ShoalClient.emit to an @EventPattern handler) and beside Nest's own
// Transport.KAFKA (ClientKafka.send, ServerKafka) through Shoal's Kafka listener. Prints, asserts nothing.
const CALLS = Number(process.env.BENCH_REQREPLY_CALLS ?? 1_000);
const WARMUP = 20;

let eventArrived: ((at: number) => void) | undefined;

@Controller()
class ShoalHandlers {
  @MessagePattern('rr-sum')
  sum(@Payload() numbers: number[]): number {
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
    return numbers.reduce((a, b) => a + b, 0);
  }
}

@Controller()
class KafkaHandlers {
  @MessagePattern('krr-sum')
  sum(@Payload() numbers: number[]): number {
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

type Timed = { p50: number; p99: number; mean: number };

/**
 * Times each path CALLS times after WARMUP untimed calls, one call at a time, the paths taking
 * turns call by call, each round in a shuffled order (so each path follows each other one, and
 * whatever work it leaves behind, as often): a change of load on a shared machine falls on
 * every row alike. Answers ms percentiles per path.
 */
async function timeTogether(paths: (() => Promise<number>)[]): Promise<Timed[]> {
  const ms: number[][] = paths.map(() => []);
  const order = paths.map((_, k) => k);
  for (let i = 0; i < WARMUP + CALLS; i++) {
    for (let j = order.length - 1; j > 0; j--) {
      const r = Math.floor(Math.random() * (j + 1));
      [order[j], order[r]] = [order[r], order[j]];
    }
    for (const k of order) {
      const took = await paths[k]();
      if (i >= WARMUP) ms[k].push(took);
    }
  }
  return ms.map((sample) => {
    sample.sort((a, b) => a - b);
    return {
      p50: percentile(sample, 50),
      p99: percentile(sample, 99),
      mean: sample.reduce((a, b) => a + b, 0) / sample.length,
    };
  });
}

/** One request for the sum of [1, 2, 3], timed: answers its ms. */
async function sum(ask: () => Promise<number | string>): Promise<number> {
  const sentAt = performance.now();
  const answer = Number(await ask());
  if (answer !== 6) throw new Error(`wrong answer ${answer}`);
  return performance.now() - sentAt;
}

const rows: (string | number)[][] = [];
const row = (label: string, t: Timed) => rows.push([label, fmt(t.p50, 1), fmt(t.p99, 1), fmt(t.mean, 1)]);

console.log(
  `Shoal request/reply bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, ${CALLS} sequential calls each`,
);
const kafkaPort = await freePort();
const broker = await startBenchBroker({ SHOAL_KAFKA_PORT: String(kafkaPort) });
const apps: INestMicroservice[] = [];
try {
  for (const name of ['rr-sum', 'rrc-sum', 'rr-event', 'krr-sum', 'krr-sum.reply'])
    await broker.client.createTopic({ name, partitions: 1 });

  const shoalWorker = await NestFactory.createMicroservice(ShoalWorkerModule, {
    strategy: new ShoalServer({ url: broker.url, mode: 'share', group: 'rr-bench' }),
    logger: false,
  });
  await shoalWorker.listen();
  apps.push(shoalWorker);
  // Each row its own worker, as the consumer-mode and Kafka rows have: no row's worker does another's work.
  const eventWorker = await NestFactory.createMicroservice(EventWorkerModule, {
    strategy: new ShoalServer({ url: broker.url, mode: 'share', group: 'rr-event-bench' }),
    logger: false,
  });
  await eventWorker.listen();
  apps.push(eventWorker);
  const consumerWorker = await NestFactory.createMicroservice(ConsumerWorkerModule, {
    strategy: new ShoalServer({ url: broker.url, mode: 'consumer', group: 'rrc-bench' }),
    logger: false,
  });
  await consumerWorker.listen();
  apps.push(consumerWorker);
  const shoal = new ShoalClient({ url: broker.url });
  await shoal.connect();

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

  const emit = async () => {
    const arrived = new Promise<number>((resolve) => (eventArrived = resolve));
    const sentAt = performance.now();
    await lastValueFrom(shoal.emit('rr-event', { at: sentAt }));
    return (await arrived) - sentAt;
  };
  const send = (topic: string) => () => sum(() => lastValueFrom(shoal.send<number>(topic, [1, 2, 3])));
  // ClientKafka hands the answer as Kafka carried it: the text "6".
  const viaKafka = () => sum(() => lastValueFrom(kafka.send<number | string>('krr-sum', [1, 2, 3])));
  const [emitted, share, consumer, kafkaSent] = await timeTogether([emit, send('rr-sum'), send('rrc-sum'), viaKafka]);
  row('Shoal emit → @EventPattern handler', emitted);
  row('Shoal send → answer (share mode)', share);
  row('Shoal send → answer (consumer mode)', consumer);
  row('Transport.KAFKA ClientKafka.send → answer (Kafka listener)', kafkaSent);
  await shoal.close();
  await kafka.close();
  printTable('Request/reply latency (ms)', ['path', 'p50', 'p99', 'mean'], rows);
} finally {
  for (const app of apps) await app.close().catch(() => undefined);
  await broker.stop();
}
process.exit(0);
