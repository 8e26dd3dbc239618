import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/storage/data-source.js';
import type { Database } from '../../src/storage/database.js';
import { preallocateWal, WAL_PREALLOCATED_BYTES } from '../../src/storage/wal-preallocation.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

describe(preallocateWal.name, () => {
  let storage: TestStorage;
  let path: string;
  const open: Database[] = [];
  const dirs: string[] = [];

  const openAt = async (at: string) => {
    const database = await openDatabase({
      ...storage.storage,
      path: at,
      sqliteThread: false,
    } as typeof storage.storage);
    open.push(database);
    return database;
  };
  const write = (database: Database, from: number, count: number) =>
    database.transaction(async (sql) => {
      for (let i = from; i < from + count; i++)
        await sql.execute('INSERT INTO prealloc_test (id, body) VALUES ($1, $2)', [i, 'x'.repeat(500)]);
    });
  const count = async (database: Database) =>
    (await database.run((sql) => sql.rows<{ n: number }>('SELECT count(*) AS n FROM prealloc_test')))[0].n;

  beforeEach(async () => {
    storage = await createTestStorage('sqlite');
    path = (storage.storage as { path: string }).path;
  });

  afterEach(async () => {
    for (const database of open.splice(0)) await database.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await storage.dispose();
  });

  it('gives a new database’s WAL its blocks, which SQLite reads as an empty log and writes over', async () => {
    const database = await openAt(path);
    expect(statSync(`${path}-wal`).size).toBe(WAL_PREALLOCATED_BYTES);
    await database.run((sql) => sql.execute('CREATE TABLE prealloc_test (id INTEGER PRIMARY KEY, body TEXT)'));
    for (let batch = 0; batch < 10; batch++) await write(database, batch * 100, 100);
    expect(await count(database)).toBe(1_000);
    // Frames overwrote the zeros: the file did not grow.
    expect(statSync(`${path}-wal`).size).toBe(WAL_PREALLOCATED_BYTES);
    await database.close();
    open.pop();
    expect(await count(await openAt(path))).toBe(1_000);
  });

  it('recovers every committed transaction from a preallocated WAL left by a crash', async () => {
    const database = await openAt(path);
    await database.run((sql) => sql.execute('CREATE TABLE prealloc_test (id INTEGER PRIMARY KEY, body TEXT)'));
    for (let batch = 0; batch < 5; batch++) await write(database, batch * 100, 100);
    // The files as a crash leaves them: the broker still open, its WAL not checkpointed away.
    const dir = mkdtempSync(join(tmpdir(), 'shoal-prealloc-'));
    dirs.push(dir);
    const copy = join(dir, 'crashed.db');
    copyFileSync(path, copy);
    copyFileSync(`${path}-wal`, `${copy}-wal`);
    expect(await count(await openAt(copy))).toBe(500);
  });

  it('leaves a WAL that exists alone (a crash’s frames, or another process’s open log)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-prealloc-'));
    dirs.push(dir);
    const db = join(dir, 'x.db');
    writeFileSync(`${db}-wal`, 'frames');
    preallocateWal(db);
    expect(readFileSync(`${db}-wal`, 'utf8')).toBe('frames');
    expect(existsSync(`${db}-wal.${process.pid}.zeros`)).toBe(false);
  });
});
