// The answering half of a request/reply pair: `npm start` the broker, then
// `node dist/examples/rpc-worker/main.js`, then `node dist/examples/rpc-caller/main.js`.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { ShoalModule, ShoalServer } from '@shoal/transport';

const url = process.env.SHOAL_URL ?? 'http://localhost:8080';

@Controller()
class MathWorker {
  // The return value (or a Promise, or each value of an Observable) goes back to the caller;
  // an error reaches it as { status: 'error', message }.
  @MessagePattern('sum')
  sum(@Payload() numbers: unknown): number {
    if (!Array.isArray(numbers)) throw new RpcException('sum takes an array of numbers');
    return numbers.reduce((total: number, n) => total + Number(n), 0);
  }
}

// autoCreateTopics creates the `sum` topic at start if it is missing.
@Module({ imports: [ShoalModule.forRoot({ url, autoCreateTopics: true })], controllers: [MathWorker] })
class MathModule {}

const app = await NestFactory.createMicroservice(MathModule, {
  ...ShoalServer.fromModule({ mode: 'share', group: 'math' }),
  logger: process.env.SHOAL_LOG === 'silent' ? false : undefined,
});
app.enableShutdownHooks();
await app.listen();
