import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShoalHttpClient } from '@shoal/client';
import { createApp } from '../../src/app.factory.js';
import type { ShoalConfig } from '../../src/config/shoal-config.js';
import { type Clock, ManualClock } from '../../src/platform/clock.js';
import { createTestStorage, type StorageKind, testConfig, type TestStorage } from './storage.js';

// Errors only: an unexpected 500's stack reaches the test output (a CI log is all there is to read).
process.env.SHOAL_LOG ??= 'error';

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

/**
 * A broker on fresh `kind` storage for the calling `describe`: started in its `beforeAll`, closed
 * (storage dropped) in its `afterAll`; tests read `suite.broker`.
 */
export function brokerPerSuite(kind: StorageKind, clock?: Clock): { readonly broker: TestBroker } {
  const suite: { broker: TestBroker; storage?: TestStorage } = { broker: undefined as unknown as TestBroker };
  beforeAll(async () => {
    suite.storage = await createTestStorage(kind);
    suite.broker = await startBroker(testConfig(suite.storage.storage), clock);
  });
  afterAll(async () => {
    await suite.broker?.close();
    await suite.storage?.dispose();
  });
  return suite;
}

/**
 * Brokers on one fresh `kind` storage for the calling `describe` (several brokers on one
 * PostgreSQL): started in its `beforeAll`, closed (storage dropped) in its `afterAll`; tests read
 * `suite.brokers` and start more on `suite.storage`.
 */
export function brokersPerSuite(
  kind: StorageKind,
  count: number,
): { readonly brokers: TestBroker[]; readonly storage: TestStorage } {
  const suite = { brokers: [] as TestBroker[], storage: undefined as unknown as TestStorage };
  beforeAll(async () => {
    suite.storage = await createTestStorage(kind);
    for (let i = 0; i < count; i++) suite.brokers.push(await startBroker(testConfig(suite.storage.storage)));
  });
  afterAll(async () => {
    for (const broker of suite.brokers) await broker.close();
    await suite.storage?.dispose();
  });
  return suite;
}
