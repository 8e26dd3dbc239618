import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { ClientsModule, type ClientProxy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { InjectShoalClient, ShoalClient, ShoalModule, ShoalRecordBuilder } from '@shoal/transport';
import { systemClock } from '../../src/platform/clock.js';
import { type TestBroker, startBroker } from '../support/broker.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

describe(ShoalModule.name, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  const apps: INestApplicationContext[] = [];
  let n = 0;

  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage), systemClock);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await broker.close();
    await storage.dispose();
  });

  async function newTopic(): Promise<string> {
    const topic = `module-jobs-${++n}`;
    await broker.client.createTopic({ name: topic, partitions: 1 });
    return topic;
  }

  async function values(topic: string): Promise<unknown[]> {
    return (await broker.client.read(topic, 0)).records.map((record) => record.value);
  }

  async function boot(module: object): Promise<INestApplicationContext> {
    const app = await NestFactory.createApplicationContext(module, { logger: false });
    apps.push(app);
    return app;
  }

  it('forRoot + registerClient(): @InjectShoalClient() and the ShoalClient class give one client that produces', async () => {
    const topic = await newTopic();
    @Injectable()
    class Producer {
      constructor(
        @InjectShoalClient() readonly shoal: ShoalClient,
        readonly byClass: ShoalClient,
      ) {}
    }
    @Module({
      imports: [ShoalModule.forRoot({ url: broker.url }), ShoalModule.registerClient()],
      providers: [Producer],
    })
    class AppModule {}

    const producer = (await boot(AppModule)).get(Producer);
    expect(producer.shoal).toBeInstanceOf(ShoalClient);
    expect(producer.byClass).toBe(producer.shoal);
    const position = await lastValueFrom(
      producer.shoal.emit(topic, new ShoalRecordBuilder({ job: 1 }).setKey('k').build()),
    );
    expect(position).toEqual({ partition: 0, offset: 0 });
    expect(await values(topic)).toEqual([{ job: 1 }]);
  });

  it('forRootAsync with ConfigService: named clients, each with its own overrides', async () => {
    const topic = await newTopic();
    @Injectable()
    class Producers {
      constructor(
        @InjectShoalClient('orders') readonly orders: ShoalClient,
        @InjectShoalClient('audit') readonly audit: ShoalClient,
      ) {}
    }
    @Module({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ shoal: { url: broker.url } })] }),
        ShoalModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ url: config.getOrThrow<string>('shoal.url') }),
        }),
        ShoalModule.registerClient({ name: 'orders' }, { name: 'audit', maxBatchRecords: 1 }),
      ],
      providers: [Producers],
    })
    class AppModule {}

    const producers = (await boot(AppModule)).get(Producers);
    expect(producers.orders).not.toBe(producers.audit);
    await lastValueFrom(producers.orders.emit(topic, 'from orders'));
    await Promise.all([1, 2].map((i) => lastValueFrom(producers.audit.emit(topic, `audit ${i}`))));
    expect(await values(topic)).toEqual(['from orders', 'audit 1', 'audit 2']);
  });

  it('closing the application sends what a connected client still holds', async () => {
    const topic = await newTopic();
    @Module({ imports: [ShoalModule.registerClient({ url: broker.url })] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const client = app.get<ShoalClient>(ShoalClient);
    await client.connect();
    for (let i = 0; i < 3; i++) client.emit(topic, i); // hot: queued, not awaited
    await app.close();
    expect(await values(topic)).toEqual([0, 1, 2]);
  });

  it('refuses to start a client that has no url', async () => {
    @Module({ imports: [ShoalModule.registerClient({ name: 'nowhere' })] })
    class AppModule {}

    await expect(
      NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow('Shoal client "nowhere" has no url');
  });

  it('ClientsModule.register({ customClass: ShoalClient }) keeps working', async () => {
    const topic = await newTopic();
    @Module({
      imports: [ClientsModule.register([{ name: 'SHOAL', customClass: ShoalClient, options: { url: broker.url } }])],
    })
    class AppModule {}

    const client = (await boot(AppModule)).get<ClientProxy>('SHOAL');
    expect(client).toBeInstanceOf(ShoalClient);
    await lastValueFrom(client.emit(topic, { via: 'ClientsModule' }));
    expect(await values(topic)).toEqual([{ via: 'ClientsModule' }]);
  });
});
