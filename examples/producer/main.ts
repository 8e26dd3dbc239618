// A producer: `npm start` the broker, then `node dist/examples/producer/main.js`.
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientsModule } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ShoalClient, ShoalRecordBuilder } from '@shoal/transport';

@Injectable()
class Mailer {
  constructor(@Inject('SHOAL') private readonly shoal: ShoalClient) {}

  send(to: string) {
    // Resolves once the record is durable; emits made together share one produce request.
    return lastValueFrom(this.shoal.emit('emails', new ShoalRecordBuilder({ to }).setKey(to).setHeaders({ source: 'example' }).build()));
  }
}

@Module({
  imports: [ClientsModule.register([{ name: 'SHOAL', customClass: ShoalClient, options: { url: process.env.SHOAL_URL ?? 'http://localhost:8080' } }])],
  providers: [Mailer],
})
class ProducerModule {}

const app = await NestFactory.createApplicationContext(ProducerModule);
const mailer = app.get(Mailer);
console.log(await Promise.all(['ada@example.com', 'grace@example.com', 'linus@example.com'].map((to) => mailer.send(to))));
await app.close();
