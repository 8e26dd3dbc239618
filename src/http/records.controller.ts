import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { OffsetForTimestampResponse, ProduceResponse, ReadResponse } from '@shoal/protocol';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { ProduceService } from '../services/log/produce.service.js';
import { ReadService } from '../services/log/read.service.js';
import { parseProduceBody } from './dto/produce.dto.js';
import { OffsetQueryDto, ReadQueryDto } from './dto/read.dto.js';
import { PartitionPipe } from './validation/partition.pipe.js';
import { TopicNamePipe } from './validation/name.pipe.js';
import { LongPollTiming } from './request-timing.js';
import type { WaitTiming } from '../common/change-signal.js';

@Controller('v1/topics/:topic')
export class RecordsController {
  constructor(
    private readonly producer: ProduceService,
    private readonly reader: ReadService,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
  ) {}

  @Post('records')
  @HttpCode(200)
  async produce(@Param('topic', TopicNamePipe) topic: string, @Body() body: unknown): Promise<ProduceResponse> {
    return { offsets: await this.producer.produce(topic, parseProduceBody(body, this.config.maxRecordBytes)) };
  }

  @Get('partitions/:partition/records')
  read(
    @Param('topic', TopicNamePipe) topic: string,
    @Param('partition', PartitionPipe) partition: number,
    @Query() query: ReadQueryDto,
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
    @Query() query: OffsetQueryDto,
  ): Promise<OffsetForTimestampResponse> {
    return this.reader.offsetForTimestamp(topic, partition, query.timestamp);
  }
}
