import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/storage/data-source.js';
import type { Database } from '../../src/storage/database.js';
import { WalCheckpointer } from '../../src/storage/sqlite-thread/wal-checkpointer.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

const PAGE = 4096;

function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

/** Pages the database file holds: what checkpoints have copied into it so far. */
function databasePages(path: string): number {
  return statSync(path).size / PAGE;
}

/** Frames in the write-ahead log (`mxFrame` in the WAL index header, https://www.sqlite.org/walformat.html). */
function walFrames(path: string): number {
  const header = Buffer.alloc(20);
  const fd = openSync(`${path}-shm`, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32LE(16);
}

describe(WalCheckpointer.name, () => {
  let storage: TestStorage;
  let database: Database;
  let path: string;

  beforeEach(async () => {
    storage = await createTestStorage('sqlite');
    path = (storage.storage as { path: string }).path;
    database = await openDatabase({ ...storage.storage, sqliteThread: false });
    await database.run((sql) => sql.execute('CREATE TABLE checkpoint_test (id INTEGER PRIMARY KEY, body BLOB)'));
  });

  afterEach(async () => {
    await database.close();
    await storage.dispose();
  });

  it('copies the WAL into the database file from its own thread, below the connection’s own autocheckpoint', async () => {
    // The connection itself would copy only past 4,000 pages: what is copied below that, the thread copied.
    const [autocheckpoint] = await database.run((sql) => sql.rows<Record<string, number>>('PRAGMA wal_autocheckpoint'));
    expect(Object.values(autocheckpoint)).toEqual([WalCheckpointer.BACKSTOP_PAGES]);
    const before = databasePages(path);
    // ~1,500 pages: past the checkpointer's 1,000, far below the connection's 4,000-page backstop.
    for (let batch = 0; batch < 15; batch++) {
      await database.transaction(async (sql) => {
        for (let i = 0; i < 100; i++)
          await sql.execute('INSERT INTO checkpoint_test (body) VALUES ($1)', [Buffer.alloc(PAGE - 200, batch)]);
      });
    }
    await until(() => databasePages(path) >= before + 1_000, 10_000);
    // Everything committed reads back, checkpointed or not.
    const [{ n }] = await database.run((sql) => sql.rows<{ n: number }>('SELECT count(*) AS n FROM checkpoint_test'));
    expect(n).toBe(1_500);
  });

  it('keeps the log short under a steady load: the writer starts it over long before its own autocheckpoint', async () => {
    // A checkpoint copies what was committed when it began; commits keep landing meanwhile, and
    // the writer starts the log over only when every frame is copied. Without the thread's
    // catch-up passes the log grew to the 4,000-page backstop, whose checkpoint then ran inside a
    // COMMIT on the event loop. ~4,800 pages here, 24 a transaction, a few ms apart.
    let longest = 0;
    for (let batch = 0; batch < 200; batch++) {
      await database.transaction(async (sql) => {
        for (let i = 0; i < 24; i++)
          await sql.execute('INSERT INTO checkpoint_test (body) VALUES ($1)', [Buffer.alloc(PAGE - 200, batch)]);
      });
      longest = Math.max(longest, walFrames(path));
      await sleep(4);
    }
    expect(longest).toBeGreaterThan(1_000); // the thread's own threshold was crossed
    expect(longest).toBeLessThan(WalCheckpointer.BACKSTOP_PAGES);
    const [{ n }] = await database.run((sql) => sql.rows<{ n: number }>('SELECT count(*) AS n FROM checkpoint_test'));
    expect(n).toBe(4_800);
  });

  it('ends its thread when the database closes', async () => {
    const before = threadCount();
    for (let i = 0; i < 5; i++) {
      const other = await openDatabase({ ...storage.storage, sqliteThread: false });
      expect(threadCount()).toBeGreaterThan(before);
      await other.close();
    }
    expect(threadCount()).toBe(before);
  });
});
