import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, validateSync } from 'class-validator';
import { ConfigError } from './config.error.js';
import { unknownVariableWarnings } from './unknown-variables.js';
import { type KafkaConfig, kafkaConfig } from './kafka-config.js';

export interface StorageConfig {
  kind: 'sqlite' | 'postgres';
  /** The `DATABASE_URL` as given. */
  url: string;
  /** SQLite only: the file (or `:memory:`). */
  path: string;
  /** SQLite only: `PRAGMA synchronous`; FULL makes every acknowledged commit survive power loss. */
  sqliteSynchronous: 'FULL' | 'NORMAL' | 'OFF' | 'EXTRA';
  /** SQLite only: statements in a worker thread (`SHOAL_SQLITE_THREAD=on`) or on the event loop (absent: off). */
  sqliteThread?: boolean;
}

export interface ShoalConfig {
  port: number;
  host: string;
  storage: StorageConfig;
  /** Largest record (key + value + headers bytes). */
  maxRecordBytes: number;
  /** Largest request body. */
  maxRequestBytes: number;
  /** How often retention runs; the contract asks for at least every 5 s. */
  retentionIntervalMs: number;
  /**
   * `/metrics` series per partition (on, the default) or summed per topic (off), so one very
   * wide topic cannot blow up a scrape. Absent means on.
   */
  metricsPartitionDetail?: boolean;
  /** Security and limits (issue 12); absent in older test configs means the defaults. */
  security?: SecurityConfig;
  /** How long a produced record's idempotency key is remembered per topic (default 24 h). */
  idempotencyWindowMs?: number;
  /** How often due scheduled records and schedule ticks are looked for (default 25 ms). */
  schedulerIntervalMs?: number;
  /** SIGTERM: how long in-flight requests get before the process exits anyway. Absent means 10 s. */
  shutdownGraceMs?: number;
  /** The Kafka-protocol listener; absent (no `SHOAL_KAFKA_PORT`) means off. */
  kafka?: KafkaConfig;
  /** Kafka's `group.initial.rebalance.delay.ms`: how long a Kafka group's first join round waits for more members (3 s). */
  kafkaGroupInitialRebalanceDelayMs?: number;
  /** Kafka's `transactional.id.expiration.ms`: a transactional id idle this long is forgotten (7 days). */
  kafkaTransactionalIdExpirationMs?: number;
}

export interface SecurityConfig {
  /** `SHOAL_ADMIN_API_KEY`: a key of principal `admin`, allowed everything; turns auth on. */
  adminApiKey?: string;
  /** `/metrics` without a key. */
  metricsPublic: boolean;
  /** Listening beyond loopback without any key. */
  allowAnonymous: boolean;
  /** PEM file paths: HTTPS when both are set. */
  tlsCert?: string;
  tlsKey?: string;
  /** Bytes of records in one read, consumer fetch or share fetch answer (a first larger record still passes alone). */
  maxResponseBytes: number;
  maxTopics: number;
  /** Partitions of all topics together. */
  maxPartitions: number;
  /** Consumer and share groups together. */
  maxGroups: number;
}

/** The defaults of `SecurityConfig`, for configs built without the environment. */
export const DEFAULT_SECURITY: SecurityConfig = {
  metricsPublic: false,
  allowAnonymous: false,
  maxResponseBytes: 16 * 1024 * 1024,
  maxTopics: 10_000,
  maxPartitions: 100_000,
  maxGroups: 10_000,
};

export const SHOAL_CONFIG = Symbol('ShoalConfig');

/** The environment variables Shoal reads, with their defaults. */
class Environment {
  @IsInt() @Min(0) @Max(65535) PORT: number = 8080;
  @IsOptional() @IsString() HOST?: string = undefined;
  @IsString() DATABASE_URL: string = 'sqlite:./data/shoal.db';
  @IsIn(['FULL', 'NORMAL', 'OFF', 'EXTRA']) SHOAL_SQLITE_SYNCHRONOUS: StorageConfig['sqliteSynchronous'] = 'FULL';
  @IsIn(['on', 'off']) SHOAL_SQLITE_THREAD: 'on' | 'off' = 'off';
  @IsInt() @Min(1) SHOAL_MAX_RECORD_BYTES: number = 1024 * 1024;
  @IsInt() @Min(1) SHOAL_MAX_REQUEST_BYTES: number = 16 * 1024 * 1024;
  @IsInt() @Min(10) @Max(5000) SHOAL_RETENTION_INTERVAL_MS: number = 5000;
  @IsIn(['on', 'off']) SHOAL_METRICS_PARTITION_DETAIL: 'on' | 'off' = 'on';
  @IsInt() @Min(1000) SHOAL_IDEMPOTENCY_WINDOW_MS: number = 86_400_000;
  @IsInt() @Min(5) @Max(1000) SHOAL_SCHEDULER_INTERVAL_MS: number = 25;
  @IsIn(['info', 'debug', 'error', 'silent']) SHOAL_LOG: 'info' | 'debug' | 'error' | 'silent' = 'info';
  @IsIn(['json', 'pretty', '']) SHOAL_LOG_FORMAT: 'json' | 'pretty' | '' = '';
  @IsOptional() @IsString() @MinLength(16) SHOAL_ADMIN_API_KEY?: string = undefined;
  @IsIn(['true', 'false']) SHOAL_METRICS_PUBLIC: string = 'false';
  @IsIn(['true', 'false']) SHOAL_ALLOW_ANONYMOUS: string = 'false';
  @IsOptional() @IsString() SHOAL_TLS_CERT?: string = undefined;
  @IsOptional() @IsString() SHOAL_TLS_KEY?: string = undefined;
  @IsInt() @Min(1024) SHOAL_MAX_RESPONSE_BYTES: number = DEFAULT_SECURITY.maxResponseBytes;
  @IsInt() @Min(1) SHOAL_MAX_TOPICS: number = DEFAULT_SECURITY.maxTopics;
  @IsInt() @Min(1) SHOAL_MAX_PARTITIONS: number = DEFAULT_SECURITY.maxPartitions;
  @IsInt() @Min(1) SHOAL_MAX_GROUPS: number = DEFAULT_SECURITY.maxGroups;
  @IsInt() @Min(0) @Max(600_000) SHOAL_SHUTDOWN_GRACE_MS: number = 10_000;
  @IsOptional() @IsInt() @Min(0) @Max(65535) SHOAL_KAFKA_PORT?: number = undefined;
  @IsOptional() @IsString() SHOAL_KAFKA_HOST?: string = undefined;
  @IsOptional() @IsString() SHOAL_KAFKA_ADVERTISED_HOST?: string = undefined;
  @IsOptional() @IsInt() @Min(1) @Max(65535) SHOAL_KAFKA_ADVERTISED_PORT?: number = undefined;
  @IsInt() @Min(1) SHOAL_KAFKA_MAX_CONNECTIONS: number = 1000;
  @IsInt() @Min(1024) SHOAL_KAFKA_MAX_FRAME_BYTES: number = 100 * 1024 * 1024;
  @IsInt() @Min(0) @Max(300_000) SHOAL_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: number = 3_000;
  @IsInt() @Min(60_000) SHOAL_KAFKA_TRANSACTIONAL_ID_EXPIRATION_MS: number = 7 * 24 * 3_600_000;
}

/** Every variable the broker reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(new Environment());

/** Reads and validates the environment; throws a `ConfigError` with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ShoalConfig {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = plainToInstance(Environment, given, { enableImplicitConversion: true, exposeDefaultValues: true });
  const problems = validateSync(parsed).map(
    (p) => `${p.property}=${JSON.stringify(env[p.property] ?? '')}: ${describeFailure(p.constraints ?? {})}`,
  );
  let storage: StorageConfig | undefined;
  try {
    storage = {
      ...parseDatabaseUrl(parsed.DATABASE_URL, parsed.SHOAL_SQLITE_SYNCHRONOUS),
      sqliteThread: parsed.SHOAL_SQLITE_THREAD === 'on',
    };
  } catch (error) {
    problems.push(...(error as ConfigError).problems);
  }
  if (problems.length === 0 && parsed.SHOAL_MAX_REQUEST_BYTES < parsed.SHOAL_MAX_RECORD_BYTES) {
    problems.push(
      `SHOAL_MAX_REQUEST_BYTES=${parsed.SHOAL_MAX_REQUEST_BYTES}: must be at least SHOAL_MAX_RECORD_BYTES (${parsed.SHOAL_MAX_RECORD_BYTES})`,
    );
  }
  if ((parsed.SHOAL_TLS_CERT === undefined) !== (parsed.SHOAL_TLS_KEY === undefined)) {
    problems.push('SHOAL_TLS_CERT and SHOAL_TLS_KEY: set both for HTTPS, or neither');
  }
  if (problems.length > 0 || storage === undefined) throw new ConfigError(problems);
  return {
    port: parsed.PORT,
    // Without a key the broker is reachable from this machine only, unless told otherwise.
    host: parsed.HOST ?? (parsed.SHOAL_ADMIN_API_KEY ? '0.0.0.0' : '127.0.0.1'),
    storage,
    maxRecordBytes: parsed.SHOAL_MAX_RECORD_BYTES,
    maxRequestBytes: parsed.SHOAL_MAX_REQUEST_BYTES,
    retentionIntervalMs: parsed.SHOAL_RETENTION_INTERVAL_MS,
    metricsPartitionDetail: parsed.SHOAL_METRICS_PARTITION_DETAIL === 'on',
    shutdownGraceMs: parsed.SHOAL_SHUTDOWN_GRACE_MS,
    idempotencyWindowMs: parsed.SHOAL_IDEMPOTENCY_WINDOW_MS,
    schedulerIntervalMs: parsed.SHOAL_SCHEDULER_INTERVAL_MS,
    kafkaGroupInitialRebalanceDelayMs: parsed.SHOAL_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS,
    kafkaTransactionalIdExpirationMs: parsed.SHOAL_KAFKA_TRANSACTIONAL_ID_EXPIRATION_MS,
    security: securityConfig(parsed),
    kafka: kafkaConfig(parsed, parsed.HOST ?? (parsed.SHOAL_ADMIN_API_KEY ? '0.0.0.0' : '127.0.0.1')),
  };
}

function securityConfig(parsed: Environment): SecurityConfig {
  return {
    adminApiKey: parsed.SHOAL_ADMIN_API_KEY,
    metricsPublic: parsed.SHOAL_METRICS_PUBLIC === 'true',
    allowAnonymous: parsed.SHOAL_ALLOW_ANONYMOUS === 'true',
    tlsCert: parsed.SHOAL_TLS_CERT,
    tlsKey: parsed.SHOAL_TLS_KEY,
    maxResponseBytes: parsed.SHOAL_MAX_RESPONSE_BYTES,
    maxTopics: parsed.SHOAL_MAX_TOPICS,
    maxPartitions: parsed.SHOAL_MAX_PARTITIONS,
    maxGroups: parsed.SHOAL_MAX_GROUPS,
  };
}

/** A value that is not a number says only that; a number out of range says which bound. */
function describeFailure(constraints: Record<string, string>): string {
  return constraints.isInt ?? Object.values(constraints).join(', ');
}

/** Warnings for `SHOAL_*` variables the broker does not read ("did you mean" when one is close). */
export function configWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  return unknownVariableWarnings(
    env,
    CONFIG_VARIABLES.filter((name) => name.startsWith('SHOAL_')),
  );
}

/** Nest logger levels from `SHOAL_LOG` (read here: nothing outside config/ reads the environment). */
export function loggerLevels(
  env: NodeJS.ProcessEnv = process.env,
): false | ('log' | 'warn' | 'error' | 'debug' | 'verbose')[] {
  if (env.SHOAL_LOG === 'silent') return false;
  if (env.SHOAL_LOG === 'error') return ['error'];
  return env.SHOAL_LOG === 'debug' ? ['log', 'warn', 'error', 'debug', 'verbose'] : ['log', 'warn', 'error'];
}

export function parseDatabaseUrl(
  url: string,
  sqliteSynchronous: StorageConfig['sqliteSynchronous'] = 'FULL',
): StorageConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError([`DATABASE_URL=${JSON.stringify(url)}: sqlite: needs a path`]);
    return { kind: 'sqlite', url, path, sqliteSynchronous };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url, path: '', sqliteSynchronous };
  throw new ConfigError([`DATABASE_URL=${JSON.stringify(url)}: must be sqlite:<path> or postgres://…`]);
}
