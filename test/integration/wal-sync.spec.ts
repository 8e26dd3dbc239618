import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseUrl } from '../../src/config/shoal-config.js';
import { openDatabase } from '../../src/storage/data-source.js';
import type { Database } from '../../src/storage/database.js';
import { WalSync } from '../../src/storage/wal-sync.js';

describe(WalSync.name, () => {
  let dir: string;
  let db: Database;
  let wal: WalSync;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-walsync-'));
    db = await openDatabase(parseDatabaseUrl(`sqlite:${join(dir, 'shoal.db')}`));
    wal = db.walSync!;
    await db.run((sql) => sql.execute('CREATE TABLE scratch (n INTEGER NOT NULL)'));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (n: number, durable = true) =>
    db.transaction((sql) => sql.execute('INSERT INTO scratch (n) VALUES ($1)', [n]), { durable });
  const count = () => db.run((sql) => sql.rows<{ c: number }>('SELECT COUNT(*) AS c FROM scratch')).then((r) => r[0].c);

  it('runs the connection at NORMAL and flushes commits itself when FULL is asked for', async () => {
    expect(wal).toBeInstanceOf(WalSync);
    const [mode] = await db.run((sql) => sql.rows<{ synchronous: number }>('PRAGMA synchronous'));
    expect(mode.synchronous).toBe(1);
  });

  it('answers a durable commit only once a flush that began after it has finished', async () => {
    for (let i = 0; i < 5; i++) {
      const before = wal.flushCount;
      await insert(i);
      expect(wal.flushCount).toBe(before + 1);
      expect(wal.durableGeneration).toBe(wal.latest);
    }
    expect(await count()).toBe(5);
  });

  it('answers concurrent commits all durably, never with more than one flush each', async () => {
    const before = wal.flushCount;
    await Promise.all(Array.from({ length: 200 }, (_, i) => insert(i)));
    expect(await count()).toBe(200);
    expect(wal.durableGeneration).toBe(wal.latest);
    expect(wal.flushCount - before).toBeLessThanOrEqual(200);
    expect(wal.flushCount - before).toBeGreaterThanOrEqual(1);
  });

  it('covers every commit made before a flush starts with that one flush, and later ones with the next', async () => {
    await insert(0); // the WAL file exists
    const before = wal.flushCount;
    const first = Array.from({ length: 50 }, () => wal.noteCommit());
    const flushing = Promise.all(first.map((generation) => wal.flushed(generation)));
    // Made while that flush runs: they need one more, shared by all ten.
    const later = Array.from({ length: 10 }, () => wal.noteCommit());
    await Promise.all([flushing, ...later.map((generation) => wal.flushed(generation))]);
    expect(wal.flushCount - before).toBe(2);
    expect(wal.durableGeneration).toBe(later[later.length - 1]);
  });

  it('starts a flush at once for a commit made while one runs, two at a time at most', async () => {
    await insert(0);
    const before = wal.flushCount;
    const first = wal.flushed(wal.noteCommit());
    // Not covered by the running flush (made after it started): its own starts now, not after it.
    const second = wal.flushed(wal.noteCommit());
    expect(wal.flushCount - before).toBe(2);
    // Two running: the third waits for one of them to end, then flushes.
    const third = wal.flushed(wal.noteCommit());
    expect(wal.flushCount - before).toBe(2);
    await Promise.all([first, second, third]);
    expect(wal.flushCount - before).toBe(3);
    expect(wal.durableGeneration).toBe(wal.latest);
  });

  it('answers a non-durable commit without a flush of its own, and a later durable commit flushes it too', async () => {
    await insert(1);
    const flushes = wal.flushCount;
    await insert(2, false);
    expect(wal.flushCount).toBe(flushes);
    await insert(3);
    expect(wal.flushCount).toBe(flushes + 1);
    expect(await count()).toBe(3);
  });

  it('holds a read of committed data until that data is on disk', async () => {
    const write = insert(7);
    const read = count();
    const [, seen] = await Promise.all([write, read]);
    // The read ran after the commit (one connection, arrival order) and saw it, so it waited for its flush.
    expect(seen).toBe(1);
    expect(wal.durableGeneration).toBe(wal.latest);
  });

  it('answers a peek at once, without waiting for the flush of a commit it saw', async () => {
    await insert(0);
    const write = insert(7);
    // The commit is made (one connection, arrival order: before the peek) and its flush runs.
    const seen = await db.peek((sql) => sql.rows<{ c: number }>('SELECT COUNT(*) AS c FROM scratch'));
    expect(seen[0].c).toBe(2);
    expect(wal.durableGeneration).toBeLessThan(wal.latest);
    await write;
    expect(wal.durableGeneration).toBe(wal.latest);
  });

  it('holds a peek that wrote until its own commit is on disk', async () => {
    await insert(0);
    const flushes = wal.flushCount;
    await db.peek((sql) => sql.execute('INSERT INTO scratch (n) VALUES (1)'));
    expect(wal.flushCount).toBe(flushes + 1);
    expect(wal.durableGeneration).toBe(wal.latest);
  });

  it('is not used for :memory: or when NORMAL is asked for', async () => {
    const memory = await openDatabase(parseDatabaseUrl('sqlite::memory:'));
    const normal = await openDatabase({
      ...parseDatabaseUrl(`sqlite:${join(dir, 'normal.db')}`),
      sqliteSynchronous: 'NORMAL',
    });
    try {
      expect(memory.walSync).toBeNull();
      expect(normal.walSync).toBeNull();
    } finally {
      await memory.close();
      await normal.close();
    }
  });
});
