import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ShoalClient, ShoalServer } from '@shoal/transport';
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
 * the broker in its own; for the default fetch batch (100) and a larger one (200).
 */
export async function benchTransport(broker: BenchBroker): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const batchSize of [100, 200]) {
    const topic = 'transport-bench';
    const group = `transport-bench-${batchSize}`;
    if (batchSize === 100) await broker.client.createTopic({ name: topic, partitions: 4 });
    // Each run's group starts where the previous run's records end.
    await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'latest' });
    const worker = await NestFactory.createMicroservice(TrivialWorkerModule, {
      strategy: new ShoalServer({ url: broker.url, mode: 'share', group, concurrency: 50, batchSize, maxWaitMs: 100 }),
      logger: false,
    });
    await worker.listen();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the group's share-partitions start at the log end
    handled = 0;
    const client = new ShoalClient({ url: broker.url });
    await client.connect();
    const started = performance.now();
    for (let i = 0; i < JOBS; i += 1_000) {
      await Promise.all(Array.from({ length: 1_000 }, (_, j) => lastValueFrom(client.emit(topic, { job: i + j }))));
    }
    const produced = performance.now();
    while (handled < JOBS) await new Promise((resolve) => setTimeout(resolve, 5));
    const seconds = (performance.now() - started) / 1000;
    await worker.close();
    await client.close();
    rows.push([50, batchSize, fmt(JOBS), fmt((produced - started) / 1000, 2), fmt(JOBS / seconds)]);
  }
  printTable(
    'Jobs through the NestJS transport (ShoalClient → one worker, trivial handler)',
    ['concurrency', 'fetch batch', 'jobs', 'produced in s', 'jobs/s end to end'],
    rows,
  );
}
