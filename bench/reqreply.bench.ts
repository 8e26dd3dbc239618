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

console.log(
  `Shoal request/reply bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, ${CALLS} sequential calls each`,
);
const kafkaPort = await freePort();
const broker = await startBenchBroker({ SHOAL_KAFKA_PORT: String(kafkaPort) });
const apps: INestMicroservice[] = [];
const rows: (string | number)[][] = [];
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
  rows.push(['Shoal emit → @EventPattern handler', fmt(emitted.p50, 1), fmt(emitted.p99, 1), fmt(emitted.mean, 1)]);

  const sent = await time(async () => {
    const sentAt = performance.now();
    const answer = await lastValueFrom(shoal.send<number>('rr-sum', [1, 2, 3]));
    if (answer !== 6) throw new Error(`wrong answer ${answer}`);
    return performance.now() - sentAt;
  });
  rows.push(['Shoal send → answer (share mode)', fmt(sent.p50, 1), fmt(sent.p99, 1), fmt(sent.mean, 1)]);
  const sentConsumer = await time(async () => {
    const sentAt = performance.now();
    const answer = await lastValueFrom(shoal.send<number>('rrc-sum', [1, 2, 3]));
    if (answer !== 6) throw new Error(`wrong answer ${answer}`);
    return performance.now() - sentAt;
  });
  rows.push([
    'Shoal send → answer (consumer mode)',
    fmt(sentConsumer.p50, 1),
    fmt(sentConsumer.p99, 1),
    fmt(sentConsumer.mean, 1),
  ]);
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
  const viaKafka = await time(async () => {
    const sentAt = performance.now();
    // ClientKafka hands the answer as Kafka carried it: the text "6".
    const answer = Number(await lastValueFrom(kafka.send<number | string>('krr-sum', [1, 2, 3])));
    if (answer !== 6) throw new Error(`wrong answer ${answer}`);
    return performance.now() - sentAt;
  });
  rows.push([
    'Transport.KAFKA ClientKafka.send → answer (Kafka listener)',
    fmt(viaKafka.p50, 1),
    fmt(viaKafka.p99, 1),
    fmt(viaKafka.mean, 1),
  ]);
  await kafka.close();
  printTable('Request/reply latency (ms)', ['path', 'p50', 'p99', 'mean'], rows);
} finally {
  for (const app of apps) await app.close().catch(() => undefined);
  await broker.stop();
}
process.exit(0);
