import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { type ShoalConfig, SHOAL_CONFIG } from './config/shoal-config.js';
import { type Clock, CLOCK, systemClock } from './domain/clock.js';
import { ConsumerGroupsController } from './http/consumer-groups.controller.js';
import { HealthController } from './http/health.controller.js';
import { RecordsController } from './http/records.controller.js';
import { ShareGroupsController } from './http/share-groups.controller.js';
import { TopicsController } from './http/topics.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { ShoalMetrics } from './metrics/shoal-metrics.js';
import { StateExporterLease } from './metrics/state-exporter.lease.js';
import { ChangeSignal } from './common/change-signal.js';
import { LongPollCloser } from './common/long-poll-closer.js';
import { PgChangeRelay } from './common/pg-change-relay.js';
import { ConsumerFetchService } from './services/consumer-groups/consumer-fetch.service.js';
import { ConsumerGroupCoordinator } from './services/consumer-groups/consumer-group.coordinator.js';
import { ConsumerGroupService } from './services/consumer-groups/consumer-group.service.js';
import { LogAppender } from './services/log/log-appender.js';
import { OffsetResolver } from './services/log/offset-resolver.js';
import { ProduceService } from './services/log/produce.service.js';
import { ReadService } from './services/log/read.service.js';
import { DeadLetterWriter } from './services/share-groups/dead-letter.writer.js';
import { RetentionService } from './services/log/retention.service.js';
import { ShareFetchService } from './services/share-groups/share-fetch.service.js';
import { ShareGroupCoordinator } from './services/share-groups/share-group.coordinator.js';
import { ShareGroupService } from './services/share-groups/share-group.service.js';
import { ShareGroupHeartbeatService } from './services/share-groups/share-group-heartbeat.service.js';
import { ShareSessionService } from './services/share-groups/share-session.service.js';
import { SharePartitionCoordinator } from './services/share-groups/share-partition.coordinator.js';
import { TopicService } from './services/log/topic.service.js';
import { DeadLettersController } from './http/dead-letters.controller.js';
import { GroupListsController } from './http/group-lists.controller.js';
import { DeadLetterRedriveService } from './services/operations/dead-letter-redrive.service.js';
import { GroupListingService } from './services/operations/group-listing.service.js';
import { ShareInFlightService } from './services/operations/share-in-flight.service.js';
import { TopicPurger } from './services/log/topic-purger.js';
import { openDatabase } from './storage/data-source.js';
import { SchedulesController } from './http/schedules.controller.js';
import { ScheduledRecordsController } from './http/scheduled-records.controller.js';
import { JobProduceService } from './services/jobs/job-produce.service.js';
import { ScheduledDeliveryService } from './services/jobs/scheduled-delivery.service.js';
import { ScheduledRecordService } from './services/jobs/scheduled-record.service.js';
import { ScheduleService } from './services/jobs/schedule.service.js';
import { Database } from './storage/database.js';
import { AclsController, ApiKeysController } from './http/security/api-keys.controller.js';
import { AuthGuard } from './http/security/auth.guard.js';
import { ApiKeyService } from './services/security/api-key.service.js';
import { StoragePressure } from './common/storage-pressure.js';
import { KAFKA_PROVIDERS } from './kafka/kafka.providers.js';
import { KAFKA_GROUP_PROVIDERS } from './services/kafka-groups/kafka-group.providers.js';

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
