import { Module } from '@nestjs/common';
import { ConsumerGroupsModule } from '../consumer-groups/consumer-groups.module.js';
import { LogModule } from '../log/log.module.js';
import { ShareGroupsModule } from '../share-groups/share-groups.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { DeadLetterRedriveService } from './dead-letter-redrive.service.js';
import { GroupListingService } from './group-listing.service.js';
import { BackupService } from './backup.service.js';
import { BackupController } from './http/backup.controller.js';
import { DeadLettersController } from './http/dead-letters.controller.js';
import { ShareJobsController } from './http/share-jobs.controller.js';
import { ShareJobService } from './share-job.service.js';
import { GroupListsController } from './http/group-lists.controller.js';
import { ShareInFlightService } from './share-in-flight.service.js';

/** The operator's views and tools: group lists, the in-flight view, dead-letter redrive, one job by its identity, online backups. */
@Module({
  imports: [StorageModule, LogModule, ConsumerGroupsModule, ShareGroupsModule],
  controllers: [GroupListsController, ShareJobsController, DeadLettersController, BackupController],
  providers: [GroupListingService, ShareInFlightService, ShareJobService, DeadLetterRedriveService, BackupService],
  exports: [ShareInFlightService],
})
export class OperationsModule {}
