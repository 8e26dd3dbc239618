import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShoalHttpClient } from '@shoal/client';
import { createApp } from '../../src/app.factory.js';
import type { ShoalConfig } from '../../src/config/shoal-config.js';
import { type Clock, ManualClock } from '../../src/platform/clock.js';

process.env.SHOAL_LOG ??= 'silent';

export interface TestBroker {
  app: NestFastifyApplication;
  url: string;
  client: ShoalHttpClient;
  clock: Clock;
  close(): Promise<void>;
}

/** The whole broker, listening on a random loopback port. */
export async function startBroker(
  config: ShoalConfig,
  clock: Clock = new ManualClock(Date.now()),
): Promise<TestBroker> {
  const app = await createApp({ config, clock });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return { app, url, client: new ShoalHttpClient({ url }), clock, close: () => app.close() };
}
