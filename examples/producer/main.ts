// A producer: `npm start` the broker, then `node dist/examples/producer/main.js`.
import 'reflect-metadata';
import { Injectable, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { lastValueFrom } from 'rxjs';
import { InjectShoalClient, ShoalClient, ShoalModule, ShoalRecordBuilder } from '@shoal/transport';

const url = process.env.SHOAL_URL ?? 'http://localhost:8080';
const topic = process.env.TOPIC ?? 'emails';

@Injectable()
class Mailer {
  constructor(@InjectShoalClient() private readonly shoal: ShoalClient) {}

  send(to: string) {
    // Resolves once the record is durable; emits made together share one produce request,
    // and emits to one topic are stored in the order they were made.
    return lastValueFrom(
      this.shoal.emit(topic, new ShoalRecordBuilder({ to }).setKey(to).setHeaders({ source: 'example' }).build()),
    );
  }
}

// autoCreateTopics: an emit to a topic that does not exist yet creates it (3 partitions).
@Module({
  imports: [ShoalModule.forRoot({ url, autoCreateTopics: { partitions: 3 } }), ShoalModule.registerClient()],
  providers: [Mailer],
})
class ProducerModule {}

const logger = new Logger('producer');
try {
  const app = await NestFactory.createApplicationContext(ProducerModule, { logger: ['error', 'warn'] });
  const mailer = app.get(Mailer);
  const positions = await Promise.all(
    ['ada@example.com', 'grace@example.com', 'linus@example.com'].map((to) => mailer.send(to)),
  );
  logger.log(`stored at ${JSON.stringify(positions)}`);
  await app.close();
} catch (error) {
  // A dead broker: ShoalConnectionError names the URL, the route and the cause.
  logger.error(`could not produce: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
