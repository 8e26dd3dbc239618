// A job-queue worker: `npm start` the broker, then `node dist/examples/worker/main.js`.
import 'reflect-metadata';
import { Controller, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type ShoalContext, ShoalModule, ShoalRejectException, ShoalServer } from '@shoal/transport';
import { ensureTopic } from '../ensure-topic.js';

const url = process.env.SHOAL_URL ?? 'http://localhost:8080';
const topic = process.env.TOPIC ?? 'emails';
const workMs = Number(process.env.WORK_MS ?? 0);

@Controller()
class EmailWorker {
  private readonly logger = new Logger(EmailWorker.name);

  // Resolve → accept; ShoalRejectException → reject (dead-lettered); any other error → retried later.
  @EventPattern<string>(topic)
  async send(@Payload() email: { to?: string }, @Ctx() context: ShoalContext): Promise<void> {
    if (!email?.to) throw new ShoalRejectException('no recipient');
    if (workMs > 0) await new Promise((resolve) => setTimeout(resolve, workMs));
    this.logger.log(
      `sent to ${email.to} (${context.getTopic()}/${context.getPartition()}@${context.getOffset()}, delivery ${context.getDeliveryCount()})`,
    );
  }
}

// ShoalModule.forRoot also keeps a failed handler's own error message for the dead-letter copy.
@Module({ imports: [ShoalModule.forRoot({ url })], controllers: [EmailWorker] })
class WorkerModule {}

await ensureTopic(url, topic);
const app = await NestFactory.createMicroservice(WorkerModule, {
  strategy: new ShoalServer({
    url,
    mode: 'share',
    group: process.env.GROUP ?? 'mailers',
    // A new group starts at the earliest offset; these apply at start.
    groupConfig: { deliveryCountLimit: 5 },
    concurrency: Number(process.env.CONCURRENCY ?? 10),
    sessionTimeoutMs: process.env.SESSION_TIMEOUT_MS ? Number(process.env.SESSION_TIMEOUT_MS) : undefined,
  }),
  logger: process.env.SHOAL_LOG === 'silent' ? false : undefined,
});
app.enableShutdownHooks();
await app.listen();
