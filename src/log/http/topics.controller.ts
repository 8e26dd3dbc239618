import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import type { CreateTopicRequest, TopicDescription, TopicList, UpdateTopicRequest } from '@shoal/protocol';
import { TopicService } from '../topic.service.js';
import { TopicNamePipe } from '../../http/validation/name.pipe.js';

@Controller('v1/topics')
export class TopicsController {
  constructor(private readonly topics: TopicService) {}

  @Post()
  create(@Body() body: CreateTopicRequest): Promise<TopicDescription> {
    return this.topics.create(body.name, body.partitions, body.config);
  }

  @Get()
  list(): Promise<TopicList> {
    return this.topics.list();
  }

  @Get(':topic')
  describe(@Param('topic', TopicNamePipe) topic: string): Promise<TopicDescription> {
    return this.topics.describe(topic);
  }

  @Patch(':topic')
  update(@Param('topic', TopicNamePipe) topic: string, @Body() body: UpdateTopicRequest): Promise<TopicDescription> {
    return this.topics.update(topic, body);
  }

  @Delete(':topic')
  @HttpCode(204)
  async delete(@Param('topic', TopicNamePipe) topic: string): Promise<void> {
    await this.topics.delete(topic);
  }
}
