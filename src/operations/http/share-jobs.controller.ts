import { Controller, Get, Injectable, Param, type PipeTransform, Query } from '@nestjs/common';
import { LongPollTiming } from '../../http/request-timing.js';
import type { WaitTiming } from '../../platform/change-signal.js';
import { type JobView, type JobWaitQuery, MAX_IDEMPOTENCY_KEY_LENGTH } from '@shoal/protocol';
import { InvalidRequestError } from '../../platform/errors/index.js';
import { GroupNamePipe, TopicNamePipe } from '../../http/validation/name.pipe.js';
import { PartitionPipe } from '../../http/validation/partition.pipe.js';
import { ShareJobService } from '../share-job.service.js';

/** An offset from the path: plain digits, at most 2^53 − 1. */
@Injectable()
export class OffsetPipe implements PipeTransform<string, number> {
  transform(value: string | number): number {
    const text = String(value);
    if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text)))
      throw new InvalidRequestError(`offset must be a non-negative integer, got ${text.slice(0, 100)}`);
    return Number(text);
  }
}

/** An idempotency key from the path, as a produce accepts one. */
@Injectable()
export class IdempotencyKeyPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length < 1 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH || value.includes('\u0000'))
      throw new InvalidRequestError(`an idempotency key is 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    return value;
  }
}

/** One job of a share group by its identity: what the job page, the CLI and `@shoal/client` read. */
@Controller('v1/share-groups/:group/topics/:topic')
export class ShareJobsController {
  constructor(private readonly jobs: ShareJobService) {}

  @Get('partitions/:partition/records/:offset')
  byOffset(
    @Param('group', GroupNamePipe) group: string,
    @Param('topic', TopicNamePipe) topic: string,
    @Param('partition', PartitionPipe) partition: number,
    @Param('offset', OffsetPipe) offset: number,
    @Query() query: JobWaitQuery,
    @LongPollTiming() timing: WaitTiming | undefined,
  ): Promise<JobView> {
    return this.jobs.find(group, topic, { partition, offset }, query.waitMs, timing);
  }

  @Get('idempotency-keys/:key')
  byIdempotencyKey(
    @Param('group', GroupNamePipe) group: string,
    @Param('topic', TopicNamePipe) topic: string,
    @Param('key', IdempotencyKeyPipe) key: string,
    @Query() query: JobWaitQuery,
    @LongPollTiming() timing: WaitTiming | undefined,
  ): Promise<JobView> {
    return this.jobs.find(group, topic, { idempotencyKey: key }, query.waitMs, timing);
  }
}
