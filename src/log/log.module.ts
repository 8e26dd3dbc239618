import { Module } from '@nestjs/common';
import { StorageModule } from '../storage/storage.module.js';
import { RecordsController } from './http/records.controller.js';
import { TopicsController } from './http/topics.controller.js';
import { LogAppender } from './log-appender.js';
import { OffsetResolver } from './offset-resolver.js';
import { PackFiler } from './pack-filer.js';
import { ProduceHooks } from './produce.hooks.js';
import { ProduceService } from './produce.service.js';
import { ReadService } from './read.service.js';
import { RetentionService } from './retention.service.js';
import { TopicPurger } from './topic-purger.js';
import { TopicService } from './topic.service.js';
import { TopicUse } from './topic-use.js';
import { TransactionalProduce } from './transactional-produce.js';

/** Topics and their partitioned log: produce, read, retention, purge. */
@Module({
  imports: [StorageModule],
  controllers: [TopicsController, RecordsController],
  providers: [
    TopicService,
    TopicPurger,
    LogAppender,
    PackFiler,
    ProduceHooks,
    ProduceService,
    ReadService,
    RetentionService,
    OffsetResolver,
    TopicUse,
    TransactionalProduce,
  ],
  exports: [
    TopicService,
    TopicUse,
    LogAppender,
    ProduceHooks,
    ProduceService,
    ReadService,
    OffsetResolver,
    TransactionalProduce,
  ],
})
export class LogModule {}
