// The asking half of a request/reply pair (see examples/rpc-worker): sends `sum` requests and
// prints the answers. Its reply topic is created at the first send and deleted at app.close().
import 'reflect-metadata';
import { Injectable, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { lastValueFrom } from 'rxjs';
import { InjectShoalClient, ShoalClient, ShoalModule } from '@shoal/transport';

const url = process.env.SHOAL_URL ?? 'http://localhost:8080';

@Injectable()
class Calculator {
  constructor(@InjectShoalClient() private readonly shoal: ShoalClient) {}

  sum(numbers: number[]): Promise<number> {
    return lastValueFrom(this.shoal.send<number>('sum', numbers));
  }
}

// replyTimeoutMs: a request unanswered this long errors with ShoalReplyTimeoutError.
@Module({
  imports: [ShoalModule.forRoot({ url, replyTimeoutMs: 10_000 }), ShoalModule.registerClient()],
  providers: [Calculator],
})
class CallerModule {}

const logger = new Logger('rpc-caller');
const app = await NestFactory.createApplicationContext(CallerModule, { logger: ['error', 'warn'] });
try {
  const calculator = app.get(Calculator);
  const answers = await Promise.all([[1, 2, 3], [10, 20], [42]].map((numbers) => calculator.sum(numbers)));
  console.log(`answers: ${JSON.stringify(answers)}`); // [6,30,42]
} catch (error) {
  logger.error(`no answer: ${JSON.stringify(error instanceof Error ? error.message : error)}`);
  process.exitCode = 1;
} finally {
  await app.close();
}
