// A job chain of three steps, exactly once: `npm start` the broker, then
// `node dist/examples/chain/main.js`, then produce orders:
//   curl -XPOST localhost:8080/v1/topics/orders/records -H 'content-type: application/json' \
//     -d '{"records":[{"key":"o1","value":{"id":"o1","email":"a@example.com","total":42}}]}'
// Each handler's ctx.produce is committed with its record's accept, in one transaction: a crash
// before the accept produces nothing (the job runs again), so every step's output exists once.
import 'reflect-metadata';
import { Controller, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ShoalHttpClient } from '@shoal/client';
import { type ShoalContext, ShoalModule, ShoalProcessor, ShoalRejectException, ShoalServer } from '@shoal/transport';

const url = process.env.SHOAL_URL ?? 'http://localhost:8080';

interface Order {
  id: string;
  email: string;
  total: number;
}
interface Invoice {
  orderId: string;
  email: string;
  number: string;
  total: number;
}

@ShoalProcessor({ group: process.env.SHOAL_GROUP ?? 'order-chain', concurrency: 10 })
@Controller()
class OrderChain {
  private readonly logger = new Logger(OrderChain.name);

  // Step 1: an order becomes its invoice.
  @EventPattern<string>('orders')
  order(@Payload() order: Order, @Ctx() ctx: ShoalContext): void {
    const invoice: Invoice = { orderId: order.id, email: order.email, number: `INV-${order.id}`, total: order.total };
    ctx.produce('invoices', { key: order.id, value: { ...invoice } });
  }

  // Step 2: an invoice becomes an email, or a cancellation (rejected, with a compensating record).
  @EventPattern<string>('invoices')
  invoice(@Payload() invoice: Invoice, @Ctx() ctx: ShoalContext): void {
    if (invoice.total <= 0)
      throw new ShoalRejectException('empty invoice', {
        produce: [{ topic: 'order-cancellations', records: [{ key: invoice.orderId, value: { ...invoice } }] }],
      });
    ctx.produce('emails', { key: invoice.orderId, value: { to: invoice.email, invoice: invoice.number } });
  }

  // Step 3: the email is sent, and its receipt recorded.
  @EventPattern<string>('emails')
  email(@Payload() email: { to: string; invoice: string }, @Ctx() ctx: ShoalContext): void {
    this.logger.log(`sent ${email.invoice} to ${email.to}`);
    ctx.produce('sent', { key: ctx.getKey(), value: { invoice: email.invoice, at: Date.now() } });
  }
}

@Module({
  imports: [ShoalModule.forRoot({ url })],
  controllers: [OrderChain],
})
class ChainModule {}

// Every topic of the chain, the ones produced to included, must exist (a produce to a missing
// topic fails the accept it rides on).
const http = new ShoalHttpClient({ url });
for (const name of ['orders', 'invoices', 'emails', 'sent', 'order-cancellations'])
  await http.createTopic({ name, partitions: 3 }).catch(() => undefined); // exists already: fine
await http.close();

const app = await NestFactory.createMicroservice(ChainModule, {
  ...ShoalServer.fromModule(),
  logger: process.env.SHOAL_LOG === 'silent' ? false : undefined,
});
app.enableShutdownHooks();
await app.listen();
