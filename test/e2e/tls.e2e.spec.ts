import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { lastValueFrom } from 'rxjs';
import { ShoalConnectionError, ShoalHttpClient } from '@shoal/client';
import { ShoalClient } from '@shoal/transport';
import { createApp } from '../../src/app.factory.js';
import { DEFAULT_SECURITY } from '../../src/config/shoal-config.js';
import { hardenedServerOptions } from '../../src/http/server-options.js';
import { systemClock } from '../../src/platform/clock.js';
import '../support/broker.js'; // quiet logs
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';
import { startTransportApp } from '../support/transport-apps.js';
import { selfSigned } from '../support/self-signed.js';
import { until } from '../support/until.js';

const ADMIN = 'admin-key-for-the-tls-tests-0123';

describe(hardenedServerOptions.name, () => {
  let storage: TestStorage;
  let dir: string;
  let app: NestFastifyApplication;
  let url: string;
  let ca: Buffer;
  const apps: INestMicroservice[] = [];

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'shoal-tls-'));
    const { cert, key } = selfSigned(dir);
    ca = readFileSync(cert);
    const security = { ...DEFAULT_SECURITY, adminApiKey: ADMIN, tlsCert: cert, tlsKey: key };
    app = await createApp({ config: testConfig(storage.storage, { security }), clock: systemClock });
    await app.listen(0, '127.0.0.1');
    url = `https://localhost:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await app.close();
    await storage.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS to a client that trusts the certificate, and refuses one that does not', async () => {
    const trusted = new ShoalHttpClient({ url, apiKey: ADMIN, ca });
    await trusted.createTopic({ name: 'tls-topic', partitions: 1 });
    expect((await trusted.describeTopic('tls-topic')).name).toBe('tls-topic');
    await trusted.close();
    const untrusted = new ShoalHttpClient({ url, apiKey: ADMIN, retry: { retries: 0 } });
    await expect(untrusted.listTopics()).rejects.toBeInstanceOf(ShoalConnectionError);
    await untrusted.close();
  });

  it('carries jobs from a ShoalClient to a ShoalServer worker over HTTPS with an API key', async () => {
    const admin = new ShoalHttpClient({ url, apiKey: ADMIN, ca });
    await admin.createTopic({ name: 'tls-jobs', partitions: 1 });
    await admin.updateShareGroupConfig('tls-workers', { autoOffsetReset: 'earliest' });
    const handled: unknown[] = [];
    apps.push(
      await startTransportApp(
        'tls-jobs',
        { url, apiKey: ADMIN, ca, mode: 'share', group: 'tls-workers', maxWaitMs: 200 },
        (data) => void handled.push(data),
      ),
    );
    const producer = new ShoalClient({ url, apiKey: ADMIN, ca });
    for (let i = 0; i < 5; i++) await lastValueFrom(producer.emit('tls-jobs', { job: i }));
    await until(async () => handled.length === 5);
    expect(handled).toEqual([0, 1, 2, 3, 4].map((job) => ({ job })));
    await producer.close();
    await admin.close();
  });
});
