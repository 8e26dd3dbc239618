import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { StorageConfig } from '../config/shoal-config.js';
import { Database } from './database.js';
import { CreateLog1763769600000 } from './migrations/1763769600000-create-log.js';
import { CreateConsumerGroups1763856000000 } from './migrations/1763856000000-create-consumer-groups.js';
import { CreateShareGroups1763942400000 } from './migrations/1763942400000-create-share-groups.js';
import { CreateJobFeatures1764028800000 } from './migrations/1764028800000-create-job-features.js';
import { CreateRedrive1764115200000 } from './migrations/1764115200000-create-redrive.js';
import { CreateSecurity1764288000000 } from './migrations/1764288000000-create-security.js';
import { CreateTopicPurge1764460800000 } from './migrations/1764460800000-create-topic-purge.js';
import { ShareRecordRanges1764806400000 } from './migrations/1764806400000-share-record-ranges.js';

export const migrations = [
  CreateLog1763769600000,
  CreateConsumerGroups1763856000000,
  CreateShareGroups1763942400000,
  CreateJobFeatures1764028800000,
  CreateRedrive1764115200000,
  CreateSecurity1764288000000,
  CreateTopicPurge1764460800000,
  ShareRecordRanges1764806400000,
];

// BIGINT columns hold offsets and timestamps, all below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Opens the database named by the config and brings its schema up to date. */
export async function openDatabase(config: StorageConfig): Promise<Database> {
  const dataSource = config.kind === 'postgres' ? postgresDataSource(config.url) : sqliteDataSource(config);
  await dataSource.initialize();
  await oneMigratorAtATime(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
  return new Database(dataSource, config.kind);
}

/** The advisory-lock key brokers starting together take around migrations ("shoalmg"). */
const MIGRATION_LOCK = 0x73686d67;

/**
 * PostgreSQL: brokers started at once on a new database would each create the tables; the
 * first to take a session advisory lock migrates, the others then find nothing to do.
 */
async function oneMigratorAtATime(dataSource: DataSource, migrate: () => Promise<unknown>): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await migrate();
    return;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

function sqliteDataSource(config: StorageConfig): DataSource {
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  return new DataSource({
    type: 'better-sqlite3',
    database: config.path,
    statementCacheSize: 500,
    migrations,
    migrationsTableName: 'shoal_migration',
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${config.sqliteSynchronous}`);
      db.pragma('busy_timeout = 10000');
      db.pragma('foreign_keys = ON');
    },
  });
}

function postgresDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'shoal_migration',
    extra: { max: 10 },
  });
}
