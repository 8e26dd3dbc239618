import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, EventPattern, MessagePattern, Payload, Transport } from '@nestjs/microservices';
import { cpus, loadavg } from 'node:os';
import { lastValueFrom } from 'rxjs';
import { ShoalClient, ShoalServer } from '@shoal/transport';
import { fmt, freePort, percentile, printTable, startBenchBroker } from './harness.js';

// `npm run bench:reqreply`: one broker (SQLite), worker and caller in this process, one call at a
// time. Shoal's send → answer (ShoalClient.send to a @MessagePattern handler, share mode) beside
// emit → handler (ShoalClient.emit to an @EventPattern handler) and beside Nest's own
// Transport.KAFKA (ClientKafka.send, ServerKafka) through Shoal's Kafka listener. Prints, asserts nothing.
const CALLS = Number(process.env.BENCH_REQREPLY_CALLS ?? 300);
const WARMUP = 20;

let eventArrived: ((at: number) => void) | undefined;

@Controller()
class ShoalHandlers {
  @MessagePattern('rr-sum')
  sum(@Payload() numbers: number[]): number {
    return numbers.reduce((a, b) => a + b, 0);
  }

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

@Module({ controllers: [ConsumerModeHandlers] })
class ConsumerWorkerModule {}

@Module({ controllers: [KafkaHandlers] })
class KafkaWorkerModule {}

/** Times `call` CALLS times, one after another, after WARMUP untimed calls; answers ms percentiles. */
async function time(call: () => Promise<number>): Promise<{ p50: number; p99: number; mean: number }> {
  for (let i = 0; i < WARMUP; i++) await call();
  const ms: number[] = [];
  for (let i = 0; i < CALLS; i++) ms.push(await call());
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), mean: ms.reduce((a, b) => a + b, 0) / ms.length };
}

/** One request for the sum of [1, 2, 3], timed: answers its ms. */
async function sum(ask: () => Promise<number | string>): Promise<number> {
  const sentAt = performance.now();
  const answer = Number(await ask());
  if (answer !== 6) throw new Error(`wrong answer ${answer}`);
  return performance.now() - sentAt;
}

const rows: (string | number)[][] = [];
const row = (label: string, t: { p50: number; p99: number; mean: number }) =>
  rows.push([label, fmt(t.p50, 1), fmt(t.p99, 1), fmt(t.mean, 1)]);

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
  const consumerWorker = await NestFactory.createMicroservice(ConsumerWorkerModule, {
    strategy: new ShoalServer({ url: broker.url, mode: 'consumer', group: 'rrc-bench' }),
    logger: false,
  });
  await consumerWorker.listen();
  apps.push(consumerWorker);
  const shoal = new ShoalClient({ url: broker.url });
  await shoal.connect();

  const emitted = await time(async () => {
    const arrived = new Promise<number>((resolve) => (eventArrived = resolve));
    const sentAt = performance.now();
    await lastValueFrom(shoal.emit('rr-event', { at: sentAt }));
    return (await arrived) - sentAt;
  });
  row('Shoal emit → @EventPattern handler', emitted);

  for (const [label, topic] of [
    ['Shoal send → answer (share mode)', 'rr-sum'],
    ['Shoal send → answer (consumer mode)', 'rrc-sum'],
  ])
    row(label, await time(() => sum(() => lastValueFrom(shoal.send<number>(topic, [1, 2, 3])))));
  await shoal.close();

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
  // ClientKafka hands the answer as Kafka carried it: the text "6".
  const viaKafka = await time(() => sum(() => lastValueFrom(kafka.send<number | string>('krr-sum', [1, 2, 3]))));
  row('Transport.KAFKA ClientKafka.send → answer (Kafka listener)', viaKafka);
  await kafka.close();
  printTable('Request/reply latency (ms)', ['path', 'p50', 'p99', 'mean'], rows);
} finally {
  for (const app of apps) await app.close().catch(() => undefined);
  await broker.stop();
}
process.exit(0);
