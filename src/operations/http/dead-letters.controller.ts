import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import type { RedriveRequest, RedriveResponse } from '@shoal/protocol';
import { DeadLetterRedriveService } from '../dead-letter-redrive.service.js';
import { TopicNamePipe } from '../../http/validation/name.pipe.js';

/** Dead-letter redrive: copies records back to their source topics, once. */
@Controller('v1/topics/:topic')
export class DeadLettersController {
  constructor(private readonly redrive: DeadLetterRedriveService) {}

  @Post('redrive')
  @HttpCode(200)
  redriveRecords(@Param('topic', TopicNamePipe) topic: string, @Body() body: RedriveRequest): Promise<RedriveResponse> {
    return this.redrive.redrive(topic, body);
  }
}
