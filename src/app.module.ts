import { type DynamicModule, Module } from '@nestjs/common';
import type { ShoalConfig } from './config/shoal-config.js';
import { ConsumerGroupsModule } from './consumer-groups/consumer-groups.module.js';
import { HttpModule } from './http/http.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { KafkaModule } from './kafka/kafka.module.js';
import { LogModule } from './log/log.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OperationsModule } from './operations/operations.module.js';
import { type Clock, systemClock } from './platform/clock.js';
import { PlatformModule } from './platform/platform.module.js';
import { SecurityModule } from './security/security.module.js';
import { ShareGroupsModule } from './share-groups/share-groups.module.js';

export interface AppOptions {
  config: ShoalConfig;
  clock?: Clock;
}

/**
 * The composition root: the global platform (configuration, clock) and the feature modules
 * (docs/architecture.md, "Modules"). Each module imports those it uses, and Nest starts the
 * imported before the importer and shuts down in reverse: from Kafka and jobs down to the
 * storage module, which closes the database last.
 */
@Module({})
export class AppModule {
  static forRoot({ config, clock = systemClock }: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ config, clock }),
        // In the order the routes were registered before the modules (StorageModule comes with them).
        LogModule,
        ConsumerGroupsModule,
        ShareGroupsModule,
        MetricsModule,
        OperationsModule,
        SecurityModule,
        HttpModule,
        JobsModule,
        KafkaModule,
      ],
    };
  }
}
