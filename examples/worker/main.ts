// A job-queue worker: `npm start` the broker, then `node dist/examples/worker/main.js`.
import 'reflect-metadata';
import { Controller, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type ShoalContext, ShoalModule, ShoalProcessor, ShoalRejectException, ShoalServer } from '@shoal/transport';

const url = process.env.SHOAL_URL ?? 'http://localhost:8080';
const topic = process.env.TOPIC ?? 'emails';
const workMs = Number(process.env.WORK_MS ?? 0);

// The class's handlers are one worker: its group, concurrency and group settings (applied at
// start; a new group starts at the earliest offset). More @ShoalProcessor classes in the same
// app are more queues, each with its own group.
@ShoalProcessor({
  group: process.env.SHOAL_GROUP ?? process.env.GROUP ?? 'mailers',
  concurrency: Number(process.env.CONCURRENCY ?? 10),
  groupConfig: { deliveryCountLimit: 5, deadLetterTopic: `${topic}-dlq` },
  sessionTimeoutMs: process.env.SESSION_TIMEOUT_MS ? Number(process.env.SESSION_TIMEOUT_MS) : undefined,
})
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

// forRoot says once how to reach the broker, for clients and workers; autoCreateTopics creates
// the topic and the dead-letter topic at start if they are missing (3 partitions). It also keeps
// a failed handler's own error message for the dead-letter copy.
@Module({
  imports: [ShoalModule.forRoot({ url, autoCreateTopics: { partitions: 3 } })],
  controllers: [EmailWorker],
})
class WorkerModule {}

const app = await NestFactory.createMicroservice(WorkerModule, {
  ...ShoalServer.fromModule(),
  logger: process.env.SHOAL_LOG === 'silent' ? false : undefined,
});
app.enableShutdownHooks();
await app.listen();
