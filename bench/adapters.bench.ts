import { Body, Controller, HttpCode, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { fmt, printTable, runFor } from './harness.js';
import { HttpLoad } from './http-load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

@Controller('echo')
class EchoController {
  @Post()
  @HttpCode(200)
  count(@Body() body: { records: unknown[] }): { offsets: { partition: number; offset: number }[] } {
    return { offsets: body.records.map((_, offset) => ({ partition: 0, offset })) };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function measure(app: INestApplication, label: string): Promise<(string | number)[][]> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const load = new HttpLoad(`http://127.0.0.1:${port}`);
  const rows: (string | number)[][] = [];
  for (const [batch, clients] of [
    [1, 16],
    [1000, 1],
  ]) {
    const body = JSON.stringify({ records: Array.from({ length: batch }, () => ({ value: 'v'.repeat(98) })) });
    const { units, elapsedS } = await runFor(SECONDS, clients, async () => {
      await load.request('POST', '/echo', body);
      return 1;
    });
    rows.push([label, batch, clients, fmt(units / elapsedS)]);
  }
  load.close();
  await app.close();
  return rows;
}

/**
 * The choice of HTTP adapter, measured: the same Nest controller (parse a produce body, answer
 * its offsets) on Express and on Fastify, with no storage behind it.
 */
export async function benchAdapters(): Promise<void> {
  const options = { logger: false as const, bodyParser: true };
  const fastify = await NestFactory.create(EchoModule, new FastifyAdapter({ bodyLimit: 16 * 1024 * 1024 }), options);
  const express = await NestFactory.create<NestExpressApplication>(EchoModule, new ExpressAdapter(), options);
  express.useBodyParser('json', { limit: '16mb' });
  const rows = [...(await measure(fastify, 'Fastify')), ...(await measure(express, 'Express'))];
  printTable(
    'HTTP adapter: the same Nest route, no storage',
    ['adapter', 'records per request', 'clients', 'requests/s'],
    rows,
  );
}
