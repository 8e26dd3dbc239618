import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import type { ScheduledRecordList, ScheduledRecordsQuery } from '@shoal/protocol';
import { ScheduledRecordService } from '../scheduled-record.service.js';
import { TopicNamePipe } from '../../http/validation/name.pipe.js';

/** Records produced with `deliverAt`/`delayMs` that wait for their time: list, cancel. */
@Controller('v1/topics/:topic/scheduled-records')
export class ScheduledRecordsController {
  constructor(private readonly scheduled: ScheduledRecordService) {}

  @Get()
  list(
    @Param('topic', TopicNamePipe) topic: string,
    @Query() query: ScheduledRecordsQuery,
  ): Promise<ScheduledRecordList> {
    return this.scheduled.list(topic, query.limit);
  }

  @Delete(':id')
  @HttpCode(204)
  async cancel(@Param('topic', TopicNamePipe) topic: string, @Param('id') id: string): Promise<void> {
    await this.scheduled.cancel(topic, id);
  }
}
