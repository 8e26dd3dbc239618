import { Module } from '@nestjs/common';
import { LogModule } from '../log/log.module.js';
import { SecurityModule } from '../security/security.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { DeadLetterWriter } from './dead-letter.writer.js';
import { ShareGroupsController } from './http/share-groups.controller.js';
import { ShareFetchService } from './share-fetch.service.js';
import { ShareGroupCoordinator } from './share-group.coordinator.js';
import { ShareGroupHooks } from './share-group.hooks.js';
import { ShareGroupService } from './share-group.service.js';
import { ShareStorage } from './storage/sql-share-stores.js';

/** Share groups (KIP-932 semantics over HTTP): membership, fetch, acknowledgements, dead letters. */
@Module({
  imports: [StorageModule, LogModule, SecurityModule],
  controllers: [ShareGroupsController],
  providers: [
    DeadLetterWriter,
    ShareStorage,
    ShareGroupCoordinator,
    ShareGroupService,
    ShareFetchService,
    ShareGroupHooks,
  ],
  exports: [ShareGroupCoordinator, ShareGroupService, ShareFetchService, ShareGroupHooks],
})
export class ShareGroupsModule {}
