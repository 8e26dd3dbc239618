// A job-queue worker as a new user writes it: @shoal/transport from its tarball, Nest from the registry.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  InjectShoalClient,
  ShoalClient,
  ShoalContext,
  ShoalModule,
  ShoalRejectException,
  ShoalRetriableException,
  ShoalServer,
} from '@shoal/transport';
import type { Job, Outcome } from './jobs.js';

const url = process.env.SHOAL_URL ?? 'http://localhost:8080';
const jobsTopic = process.env.JOBS_TOPIC ?? 'jobs';
const resultsTopic = process.env.RESULTS_TOPIC ?? 'results';

@Controller()
class JobWorker {
  constructor(@InjectShoalClient('results') private readonly results: ShoalClient) {}

  @EventPattern<string>(jobsTopic)
  async handle(@Payload() job: Job, @Ctx() context: ShoalContext): Promise<void> {
    const deliveryCount = context.getDeliveryCount();
    const report = (outcome: Outcome['outcome']) =>
      lastValueFrom(this.results.emit(resultsTopic, { id: job.id, deliveryCount, outcome }));
    if (job.kind === 'poison') {
      await report('rejected');
      throw new ShoalRejectException(`poison pill ${job.id}`);
    }
    if (job.kind === 'flaky' && deliveryCount === 1) {
      await report('failed');
      throw new Error(`flaky ${job.id}`);
    }
    if (job.kind === 'busy' && deliveryCount === 1) {
      await report('busy');
      throw new ShoalRetriableException(`busy ${job.id}`, 100);
    }
    await report('accepted');
  }
}

@Module({
  imports: [ShoalModule.forRoot({ url }), ShoalModule.registerClient({ name: 'results' })],
  controllers: [JobWorker],
})
class WorkerModule {}

const app = await NestFactory.createMicroservice(WorkerModule, {
  strategy: new ShoalServer({
    url,
    mode: 'share',
    group: process.env.SHOAL_GROUP ?? 'workers',
    maxWaitMs: 200,
    retryDelayMs: 50,
  }),
  logger: ['error', 'warn'],
});
app.enableShutdownHooks();
await app.listen();
