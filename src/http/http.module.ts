import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RouteValidationGuard } from './validation/route-validation.guard.js';

/**
 * The HTTP door's own infrastructure: every request checked against the protocol's route
 * table. Imported by AppModule after SecurityModule, so this guard runs after the auth guard
 * (global guards run in the order their modules are first reached).
 */
@Module({
  providers: [{ provide: APP_GUARD, useClass: RouteValidationGuard }],
})
export class HttpModule {}
