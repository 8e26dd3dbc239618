import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ShoalClient, ShoalServer } from '../libs/transport/src/index.js';
import { type BenchBroker, fmt, printTable } from './harness.js';

const JOBS = Number(process.env.BENCH_TRANSPORT_JOBS ?? 100_000);
let handled = 0;

@Controller()
class TrivialWorker {
  @EventPattern<string>('transport-bench')
  handle(): void {
    handled++;
  }
}

@Module({ controllers: [TrivialWorker] })
class TrivialWorkerModule {}

/**
 * Jobs end to end through the NestJS transport: a ShoalClient emitting jobs (batched emits)
 * into a worker microservice of concurrency 50 with a trivial handler, both in this process,
 * the broker in its own. Counts jobs handled and accepted per second.
 */
export async function benchTransport(broker: BenchBroker): Promise<void> {
  await broker.client.createTopic({ name: 'transport-bench', partitions: 4 });
  await broker.client.updateShareGroupConfig('transport-bench', { autoOffsetReset: 'earliest' });
  const worker = await NestFactory.createMicroservice(TrivialWorkerModule, {
    strategy: new ShoalServer({ url: broker.url, mode: 'share', group: 'transport-bench', concurrency: 50, batchSize: 50, maxWaitMs: 100 }),
    logger: false,
  });
  await worker.listen();
  const client = new ShoalClient({ url: broker.url });
  await client.connect();
  const started = performance.now();
  const producing = (async () => {
    for (let i = 0; i < JOBS; i += 1_000) {
      await Promise.all(Array.from({ length: 1_000 }, (_, j) => lastValueFrom(client.emit('transport-bench', { job: i + j }))));
    }
  })();
  await producing;
  const produced = performance.now();
  while (handled < JOBS) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await client.close();
  printTable('Jobs through the NestJS transport (ShoalClient → worker of concurrency 50, trivial handler)', ['jobs', 'produced in s', 'jobs/s end to end'], [
    [fmt(JOBS), fmt((produced - started) / 1000, 2), fmt(JOBS / seconds)],
  ]);
}
