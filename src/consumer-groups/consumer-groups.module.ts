import { Module } from '@nestjs/common';
import { LogModule } from '../log/log.module.js';
import { SecurityModule } from '../security/security.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { ConsumerFetchService } from './consumer-fetch.service.js';
import { ConsumerGroupCoordinator } from './consumer-group.coordinator.js';
import { ConsumerGroupHooks } from './consumer-group.hooks.js';
import { ConsumerGroupService } from './consumer-group.service.js';
import { ConsumerGroupsController } from './http/consumer-groups.controller.js';

/** Classic consumer groups over HTTP; `ConsumerGroupHooks` lets another protocol (Kafka) share them. */
@Module({
  imports: [StorageModule, LogModule, SecurityModule],
  controllers: [ConsumerGroupsController],
  providers: [ConsumerGroupCoordinator, ConsumerGroupService, ConsumerFetchService, ConsumerGroupHooks],
  exports: [ConsumerGroupService, ConsumerGroupHooks],
})
export class ConsumerGroupsModule {}
