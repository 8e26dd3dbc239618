import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { StorageConfig } from '../config/shoal-config.js';
import { Database } from './database.js';
import { WalSync } from './wal-sync.js';
import { SqliteInline, SqliteThread } from './sqlite-thread/sqlite-thread.js';
import { PgSessions } from './pg-sessions.js';
import { primaryFinder } from './pg-hosts.js';
import { WalCheckpointer } from './sqlite-thread/wal-checkpointer.js';
import { CreateLog1763769600000 } from './migrations/1763769600000-create-log.js';
import { CreateConsumerGroups1763856000000 } from './migrations/1763856000000-create-consumer-groups.js';
import { CreateShareGroups1763942400000 } from './migrations/1763942400000-create-share-groups.js';
import { CreateJobFeatures1764028800000 } from './migrations/1764028800000-create-job-features.js';
import { CreateRedrive1764115200000 } from './migrations/1764115200000-create-redrive.js';
import { CreateSecurity1764288000000 } from './migrations/1764288000000-create-security.js';
import { CreateTopicPurge1764460800000 } from './migrations/1764460800000-create-topic-purge.js';
import { CreateKafkaGroups1764633600000 } from './migrations/1764633600000-create-kafka-groups.js';
import { CreateKafkaShareMembers1764720000000 } from './migrations/1764720000000-create-kafka-share-members.js';
import { ShareRecordRanges1764806400000 } from './migrations/1764806400000-share-record-ranges.js';
import { AddSweepIndexes1764892800000 } from './migrations/1764892800000-add-sweep-indexes.js';
import { AddLockExpiryIndex1764979200000 } from './migrations/1764979200000-add-lock-expiry-index.js';
import { AddOffsetMetadata1765065600000 } from './migrations/1765065600000-add-offset-metadata.js';
import { AddKafkaGroupInstanceId1765065600001 } from './migrations/1765065600001-add-kafka-group-instance-id.js';
import { AddRecordKeyBytes1765069200000 } from './migrations/1765069200000-add-record-key-bytes.js';
import { AddCompletedCleanup1765152000000 } from './migrations/1765152000000-add-completed-cleanup.js';
import { CreateShareJobs1765238400000 } from './migrations/1765238400000-create-share-jobs.js';
import { AddTopicIdleExpiry1765281600000 } from './migrations/1765281600000-add-topic-idle-expiry.js';
import { CreateKafkaTransactions1765328400000 } from './migrations/1765328400000-create-kafka-transactions.js';
import { AddKafkaTxnLastUsed1765400000000 } from './migrations/1765400000000-add-kafka-txn-last-used.js';
import { CreateRecordPack1765450000000 } from './migrations/1765450000000-create-record-pack.js';
import { CreateShareGroupOpen1765480000000 } from './migrations/1765480000000-create-share-group-open.js';
import { CreateShareWindowReads1765490000000 } from './migrations/1765490000000-create-share-window-reads.js';

export const migrations = [
  CreateLog1763769600000,
  CreateConsumerGroups1763856000000,
  CreateShareGroups1763942400000,
  CreateJobFeatures1764028800000,
  CreateRedrive1764115200000,
  CreateSecurity1764288000000,
  CreateTopicPurge1764460800000,
  CreateKafkaGroups1764633600000,
  CreateKafkaShareMembers1764720000000,
  ShareRecordRanges1764806400000,
  AddSweepIndexes1764892800000,
  AddLockExpiryIndex1764979200000,
  AddOffsetMetadata1765065600000,
  AddKafkaGroupInstanceId1765065600001,
  AddRecordKeyBytes1765069200000,
  AddCompletedCleanup1765152000000,
  CreateShareJobs1765238400000,
  AddTopicIdleExpiry1765281600000,
  CreateKafkaTransactions1765328400000,
  AddKafkaTxnLastUsed1765400000000,
  CreateRecordPack1765450000000,
  CreateShareGroupOpen1765480000000,
  CreateShareWindowReads1765490000000,
];

// BIGINT columns hold offsets and timestamps, all below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * Opens the database named by the config and brings its schema up to date. SQLite migrates
 * through TypeORM, then closes that connection and opens the one it uses from then on: in a
 * worker thread of its own (`SHOAL_SQLITE_THREAD=on`) or on the event loop (the default, see
 * README "Performance" for why).
 */
export async function openDatabase(config: StorageConfig): Promise<Database> {
  const dataSource = config.kind === 'postgres' ? await initializedPostgres(config.url) : sqliteDataSource(config);
  if (config.kind !== 'postgres') await dataSource.initialize();
  await oneMigratorAtATime(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
  if (config.kind === 'postgres') {
    // TypeORM migrated; from now on the broker's statements go through `pg`'s pool directly.
    await dataSource.destroy();
    const sessions = new PgSessions(config.url, {
      max: POSTGRES_POOL_SIZE,
      Client: primaryFinder(config.url).clientClass(),
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    });
    await sessions.probeFlushBarrier();
    return new Database(config.kind, sessions);
  }
  // An in-memory database lives in its connection: its migrated image moves to the thread.
  const image =
    config.path === ':memory:'
      ? (dataSource.driver as unknown as { databaseConnection: { serialize(): Buffer } }).databaseConnection.serialize()
      : undefined;
  await dataSource.destroy();
  const synchronous = flushesInThePool(config) ? ('NORMAL' as const) : config.sqliteSynchronous;
  // A file's WAL checkpoints (writes and fsyncs of the database file) leave the event loop too.
  const checkpointer =
    config.sqliteThread || config.path === ':memory:'
      ? null
      : await WalCheckpointer.start({
          path: config.path,
          synchronous,
          busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
          intervalMs: CHECKPOINT_INTERVAL_MS,
          minFrames: CHECKPOINT_MIN_FRAMES,
        });
  const options = {
    path: config.path,
    image,
    synchronous,
    busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
    statementCacheSize: 500,
    autocheckpointPages: checkpointer ? WalCheckpointer.BACKSTOP_PAGES : undefined,
  };
  let thread: SqliteThread | SqliteInline;
  try {
    thread = config.sqliteThread ? await SqliteThread.open(options) : SqliteInline.open(options, checkpointer);
  } catch (error) {
    await checkpointer?.stop();
    throw error;
  }
  return new Database(config.kind, thread, flushesInThePool(config) ? new WalSync(`${config.path}-wal`) : null);
}

/**
 * SQLite asked for FULL durability on a file: commits are flushed by {@link WalSync} (same
 * guarantee: nothing is answered before its commit is on disk) instead of inside COMMIT, so
 * one flush serves every commit made while the previous one ran.
 */
function flushesInThePool(config: StorageConfig): boolean {
  return config.kind === 'sqlite' && config.sqliteSynchronous === 'FULL' && config.path !== ':memory:';
}

const SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** The checkpointer looks at the WAL this often, and copies it once this many pages wait (SQLite's own default). */
const CHECKPOINT_INTERVAL_MS = 100;
const CHECKPOINT_MIN_FRAMES = 1_000;

/** PostgreSQL connections per broker (the relay's LISTEN connection is one more). */
const POSTGRES_POOL_SIZE = 10;

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
      db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      db.pragma('foreign_keys = ON');
    },
  });
}

/** How long opening a PostgreSQL connection may take before the use fails (503) instead of hanging. */
const PG_CONNECT_TIMEOUT_MS = 5_000;

/**
 * PostgreSQL, connected to the primary: with several hosts in the URL each is tried in turn
 * (a refused connection or a standby moves on to the next) until one gives a read-write session.
 */
async function initializedPostgres(url: string): Promise<DataSource> {
  const hosts = Math.max(1, primaryFinder(url).target.hosts.length);
  for (let attempt = 1; ; attempt++) {
    const dataSource = postgresDataSource(url);
    try {
      return await dataSource.initialize();
    } catch (error) {
      if (attempt >= hosts) throw error;
    }
  }
}

function postgresDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'shoal_migration',
    // Client: host selection for multi-host URLs (see PrimaryFinder); a single host connects as pg does.
    extra: { max: 10, Client: primaryFinder(url).clientClass(), connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS },
  });
}
