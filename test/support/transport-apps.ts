import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type ShoalContext, ShoalFailureInterceptor, ShoalServer, type ShoalServerOptions } from '@shoal/transport';

/** What a test's handler does with each record; the context says which record it is. */
export type TestHandler = (data: unknown, context: ShoalContext) => Promise<void> | void;

/** A real NestJS microservice on the Shoal transport, whose one handler is `handler` on `topic`. */
export async function startTransportApp(
  topic: string,
  options: ShoalServerOptions,
  handler: TestHandler,
): Promise<INestMicroservice> {
  @Controller()
  class TestHandlerController {
    @EventPattern<string>(topic)
    async handle(@Payload() data: unknown, @Ctx() context: ShoalContext): Promise<void> {
      await handler(data, context);
    }
  }

  @Module({ controllers: [TestHandlerController] })
  class TestWorkerModule {}

  const app = await NestFactory.createMicroservice(TestWorkerModule, {
    strategy: new ShoalServer(options),
    logger: false,
  });
  app.useGlobalInterceptors(new ShoalFailureInterceptor());
  await app.listen();
  return app;
}
