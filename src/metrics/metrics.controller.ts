import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ShoalMetrics } from './shoal-metrics.js';

/** `GET /metrics`: Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ShoalMetrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.render();
    await reply.header('Content-Type', this.metrics.contentType).send(text);
  }
}
