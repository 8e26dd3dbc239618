import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { openDatabase } from './data-source.js';
import { Database } from './database.js';
import { PgChangeRelay } from './pg-change-relay.js';

/**
 * The database (and the PostgreSQL change relay). Every module that uses the database imports
 * this one, so it is the deepest: it shuts down after all of them, and the database closes last.
 */
@Module({
  providers: [
    { provide: Database, useFactory: (config: ShoalConfig) => openDatabase(config.storage), inject: [SHOAL_CONFIG] },
    PgChangeRelay,
  ],
  exports: [Database],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(private readonly database: Database) {}

  /** Runs after this module's providers (the relay) have shut down: closes the database. */
  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
