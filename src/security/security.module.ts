import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { StorageModule } from '../storage/storage.module.js';
import { ApiKeyService } from './api-key.service.js';
import { AclsController, ApiKeysController } from './http/api-keys.controller.js';
import { AuthGuard } from './http/auth.guard.js';

/** API keys, ACLs and quotas; `AuthGuard` guards every route. */
@Module({
  imports: [StorageModule],
  controllers: [ApiKeysController, AclsController],
  providers: [ApiKeyService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ApiKeyService],
})
export class SecurityModule {}
