import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type {
  OffsetForTimestampResponse,
  OffsetQuery,
  ProduceResponse,
  ReadQuery,
  ReadResponse,
} from '@shoal/protocol';
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';
import { ProduceService } from '../produce.service.js';
import { ReadService } from '../read.service.js';
import { parseProduceBody } from './produce.dto.js';
import type { AppendRecord } from '../domain/record.js';
import { PartitionPipe } from '../../http/validation/partition.pipe.js';
import { TopicNamePipe } from '../../http/validation/name.pipe.js';
import { LongPollTiming } from '../../http/request-timing.js';
import { jsonBodyText } from '../../http/validation/well-formed-json.js';
import type { WaitTiming } from '../../platform/change-signal.js';
import { deferredAuth, KeysAppeared } from '../../security/deferred-auth.js';

@Controller('v1/topics/:topic')
export class RecordsController {
  constructor(
    private readonly producer: ProduceService,
    private readonly reader: ReadService,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
  ) {}

  @Post('records')
  @HttpCode(200)
  async produce(
    @Param('topic', TopicNamePipe) topic: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<ProduceResponse> {
    // The auth check may ride on the produce's statement (security/deferred-auth.ts).
    const recheck = deferredAuth.recheck(request);
    let records: AppendRecord[];
    try {
      records = parseProduceBody(body, this.config.maxRecordBytes, jsonBodyText(request));
    } catch (error) {
      await recheck?.(false);
      throw error;
    }
    try {
      return { offsets: await this.producer.produce(topic, records, recheck !== undefined) };
    } catch (error) {
      if (!(error instanceof KeysAppeared) || !recheck) throw error;
      // A key exists now: the whole check (401/403 as usual), then the produce.
      await recheck(true);
      return { offsets: await this.producer.produce(topic, records) };
    }
  }

  @Get('partitions/:partition/records')
  read(
    @Param('topic', TopicNamePipe) topic: string,
    @Param('partition', PartitionPipe) partition: number,
    @Query() query: ReadQuery,
    @LongPollTiming() timing: WaitTiming | undefined,
  ): Promise<ReadResponse> {
    return this.reader.read(topic, partition, {
      ...query,
      maxResponseBytes: this.config.security?.maxResponseBytes,
      timing,
    });
  }

  @Get('partitions/:partition/offsets')
  offsetForTimestamp(
    @Param('topic', TopicNamePipe) topic: string,
    @Param('partition', PartitionPipe) partition: number,
    @Query() query: OffsetQuery,
  ): Promise<OffsetForTimestampResponse> {
    return this.reader.offsetForTimestamp(topic, partition, query.timestamp);
  }
}
