import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { type ShoalConfig, SHOAL_CONFIG } from './config/shoal-config.js';
import { type Clock, CLOCK, systemClock } from './platform/clock.js';
import { ConsumerGroupsController } from './consumer-groups/http/consumer-groups.controller.js';
import { HealthController } from './metrics/http/health.controller.js';
import { RecordsController } from './log/http/records.controller.js';
import { ShareGroupsController } from './share-groups/http/share-groups.controller.js';
import { TopicsController } from './log/http/topics.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { ShoalMetrics } from './metrics/shoal-metrics.js';
import { StateExporterLease } from './metrics/state-exporter.lease.js';
import { ChangeSignal } from './platform/change-signal.js';
import { LongPollCloser } from './platform/long-poll-closer.js';
import { PgChangeRelay } from './storage/pg-change-relay.js';
import { ConsumerFetchService } from './consumer-groups/consumer-fetch.service.js';
import { ConsumerGroupCoordinator } from './consumer-groups/consumer-group.coordinator.js';
import { ConsumerGroupService } from './consumer-groups/consumer-group.service.js';
import { LogAppender } from './log/log-appender.js';
import { OffsetResolver } from './log/offset-resolver.js';
import { ProduceService } from './log/produce.service.js';
import { ReadService } from './log/read.service.js';
import { DeadLetterWriter } from './share-groups/dead-letter.writer.js';
import { RetentionService } from './log/retention.service.js';
import { ShareFetchService } from './share-groups/share-fetch.service.js';
import { ShareGroupCoordinator } from './share-groups/share-group.coordinator.js';
import { ShareGroupService } from './share-groups/share-group.service.js';
import { ShareGroupHeartbeatService } from './kafka/share/share-group-heartbeat.service.js';
import { ShareSessionService } from './kafka/share/share-session.service.js';
import { SharePartitionCoordinator } from './share-groups/share-partition.coordinator.js';
import { TopicService } from './log/topic.service.js';
import { DeadLettersController } from './operations/http/dead-letters.controller.js';
import { GroupListsController } from './operations/http/group-lists.controller.js';
import { ShareJobsController } from './operations/http/share-jobs.controller.js';
import { DeadLetterRedriveService } from './operations/dead-letter-redrive.service.js';
import { GroupListingService } from './operations/group-listing.service.js';
import { ShareInFlightService } from './operations/share-in-flight.service.js';
import { ShareJobService } from './operations/share-job.service.js';
import { TopicPurger } from './log/topic-purger.js';
import { openDatabase } from './storage/data-source.js';
import { SchedulesController } from './jobs/http/schedules.controller.js';
import { ScheduledRecordsController } from './jobs/http/scheduled-records.controller.js';
import { JobProduceService } from './jobs/job-produce.service.js';
import { ScheduledDeliveryService } from './jobs/scheduled-delivery.service.js';
import { ScheduledRecordService } from './jobs/scheduled-record.service.js';
import { ScheduleService } from './jobs/schedule.service.js';
import { Database } from './storage/database.js';
import { AclsController, ApiKeysController } from './security/http/api-keys.controller.js';
import { AuthGuard } from './security/http/auth.guard.js';
import { ApiKeyService } from './security/api-key.service.js';
import { StoragePressure } from './platform/storage-pressure.js';
import { KAFKA_PROVIDERS } from './kafka/kafka.providers.js';
import { KAFKA_GROUP_PROVIDERS } from './kafka/groups/kafka-group.providers.js';

export interface AppOptions {
  config: ShoalConfig;
  clock?: Clock;
}

/** Closes the database after everything else has shut down. */
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/** The composition root. */
@Module({})
export class AppModule {
  static forRoot({ config, clock = systemClock }: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [
        TopicsController,
        RecordsController,
        ConsumerGroupsController,
        ShareGroupsController,
        HealthController,
        MetricsController,
        GroupListsController,
        ShareJobsController,
        DeadLettersController,
        ApiKeysController,
        AclsController,
        SchedulesController,
        ScheduledRecordsController,
      ],
      providers: [
        { provide: SHOAL_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: Database, useFactory: () => openDatabase(config.storage) },
        DatabaseCloser,
        ShoalMetrics,
        StateExporterLease,
        ChangeSignal,
        PgChangeRelay,
        LongPollCloser,
        TopicService,
        TopicPurger,
        LogAppender,
        ProduceService,
        ReadService,
        RetentionService,
        OffsetResolver,
        ConsumerGroupCoordinator,
        ConsumerGroupService,
        ConsumerFetchService,
        DeadLetterWriter,
        SharePartitionCoordinator,
        ShareGroupCoordinator,
        ShareGroupService,
        ShareFetchService,
        ShareGroupHeartbeatService,
        ShareSessionService,
        GroupListingService,
        ShareInFlightService,
        ShareJobService,
        DeadLetterRedriveService,
        ApiKeyService,
        StoragePressure,
        { provide: APP_GUARD, useClass: AuthGuard },
        JobProduceService,
        ScheduledDeliveryService,
        ScheduledRecordService,
        ScheduleService,
        ...KAFKA_PROVIDERS,
        ...KAFKA_GROUP_PROVIDERS,
      ],
    };
  }
}
