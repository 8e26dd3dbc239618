import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min, validateSync } from 'class-validator';

export interface StorageConfig {
  kind: 'sqlite' | 'postgres';
  /** The `DATABASE_URL` as given. */
  url: string;
  /** SQLite only: the file (or `:memory:`). */
  path: string;
  /** SQLite only: `PRAGMA synchronous`; FULL makes every acknowledged commit survive power loss. */
  sqliteSynchronous: 'FULL' | 'NORMAL' | 'OFF' | 'EXTRA';
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
}

export const SHOAL_CONFIG = Symbol('ShoalConfig');

/** The environment variables Shoal reads, with their defaults. */
class Environment {
  @IsInt() @Min(0) @Max(65535) PORT: number = 8080;
  @IsString() HOST: string = '0.0.0.0';
  @IsString() DATABASE_URL: string = 'sqlite:./data/shoal.db';
  @IsIn(['FULL', 'NORMAL', 'OFF', 'EXTRA']) SHOAL_SQLITE_SYNCHRONOUS: StorageConfig['sqliteSynchronous'] = 'FULL';
  @IsInt() @Min(1) SHOAL_MAX_RECORD_BYTES: number = 1024 * 1024;
  @IsInt() @Min(1) SHOAL_MAX_REQUEST_BYTES: number = 16 * 1024 * 1024;
  @IsInt() @Min(10) @Max(5000) SHOAL_RETENTION_INTERVAL_MS: number = 5000;
}

/** Reads and validates the environment; throws with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ShoalConfig {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = plainToInstance(Environment, given, { enableImplicitConversion: true, exposeDefaultValues: true });
  const problems = validateSync(parsed);
  if (problems.length > 0) {
    throw new Error(`invalid environment: ${problems.map((p) => Object.values(p.constraints ?? {}).join(', ')).join('; ')}`);
  }
  if (parsed.SHOAL_MAX_REQUEST_BYTES < parsed.SHOAL_MAX_RECORD_BYTES) {
    throw new Error('invalid environment: SHOAL_MAX_REQUEST_BYTES must be at least SHOAL_MAX_RECORD_BYTES');
  }
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    storage: parseDatabaseUrl(parsed.DATABASE_URL, parsed.SHOAL_SQLITE_SYNCHRONOUS),
    maxRecordBytes: parsed.SHOAL_MAX_RECORD_BYTES,
    maxRequestBytes: parsed.SHOAL_MAX_REQUEST_BYTES,
    retentionIntervalMs: parsed.SHOAL_RETENTION_INTERVAL_MS,
  };
}

export function parseDatabaseUrl(url: string, sqliteSynchronous: StorageConfig['sqliteSynchronous'] = 'FULL'): StorageConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new Error('invalid environment: DATABASE_URL sqlite: needs a path');
    return { kind: 'sqlite', url, path, sqliteSynchronous };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url, path: '', sqliteSynchronous };
  throw new Error('invalid environment: DATABASE_URL must be sqlite:<path> or postgres://…');
}
