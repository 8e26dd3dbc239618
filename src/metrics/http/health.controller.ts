import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Database } from '../../storage/database.js';
import { StoragePressure } from '../../platform/storage-pressure.js';
import { StorageFullError, StorageUnavailableError } from '../../platform/errors/index.js';

/**
 * `GET /health`: up when the database answers and no write was refused for lack of space lately.
 * A database that refuses connections (stopped, failing over) answers 503 STORAGE_UNAVAILABLE
 * with `Retry-After`; one that does not answer within 3 s, 503 UNAVAILABLE.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: Database,
    private readonly pressure: StoragePressure,
  ) {}

  @Get()
  @HealthCheck()
  async check() {
    // Deletes still work and free space; writes answer 503 STORAGE_FULL meanwhile.
    if (this.pressure.isFull()) throw new StorageFullError();
    return this.health.check(this.indicatorsToCheck()).catch((error: unknown) => {
      // The SELECT failed for want of a connection (the database marked itself unavailable).
      throw this.database.availability.available ? error : new StorageUnavailableError();
    });
  }

  private indicatorsToCheck() {
    return [
      () =>
        this.indicators
          .check('database')
          .attempt(async () => {
            await this.database.run((sql) => sql.rows('SELECT 1 AS ok'));
            return { kind: this.database.kind };
          })
          .withTimeout(3000),
    ];
  }
}
