import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type ShoalConfig, type StorageConfig, parseDatabaseUrl } from '../../src/config/shoal-config.js';

export type StorageKind = 'sqlite' | 'postgres';

/** Every storage test runs on both. */
export const STORAGE_KINDS: StorageKind[] = ['sqlite', 'postgres'];

export interface TestStorage {
  storage: StorageConfig;
  dispose(): Promise<void>;
}

/** A fresh, empty database: a SQLite file in a temp dir, or a new database in the test PostgreSQL. */
export async function createTestStorage(kind: StorageKind): Promise<TestStorage> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-test-'));
    return {
      storage: parseDatabaseUrl(`sqlite:${join(dir, 'shoal.db')}`),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = process.env.SHOAL_TEST_POSTGRES_URL;
  if (!base) throw new Error('SHOAL_TEST_POSTGRES_URL is not set: the integration global setup starts PostgreSQL');
  const name = `shoal_${randomBytes(6).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  return {
    storage: parseDatabaseUrl(`${base}/${name}`),
    dispose: async () => adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(base: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${base}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A broker config for tests: random port, quiet, the given storage. */
export function testConfig(storage: StorageConfig, overrides: Partial<ShoalConfig> = {}): ShoalConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    storage,
    maxRecordBytes: 1024 * 1024,
    maxRequestBytes: 16 * 1024 * 1024,
    retentionIntervalMs: 5000,
    ...overrides,
  };
}
