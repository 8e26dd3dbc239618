// A producer as a new user writes it: ShoalModule.forRootAsync from ConfigService, an injected client.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { lastValueFrom } from 'rxjs';
import { InjectShoalClient, ShoalClient, ShoalModule, ShoalRecordBuilder } from '@shoal/transport';
import type { Job } from './jobs.js';

@Injectable()
class JobProducer {
  constructor(@InjectShoalClient() private readonly shoal: ShoalClient) {}

  async produce(topic: string, jobs: Job[]): Promise<void> {
    await Promise.all(
      jobs.map((job) => lastValueFrom(this.shoal.emit(topic, new ShoalRecordBuilder(job).setKey(job.id).build()))),
    );
  }
}

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    ShoalModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({ url: config.getOrThrow<string>('SHOAL_URL') }),
    }),
    ShoalModule.registerClient(),
  ],
  providers: [JobProducer],
})
class ProducerModule {}

const app = await NestFactory.createApplicationContext(ProducerModule, { logger: ['error', 'warn'] });
await app.get(JobProducer).produce(process.env.JOBS_TOPIC ?? 'jobs', JSON.parse(process.env.JOBS ?? '[]') as Job[]);
await app.close();
