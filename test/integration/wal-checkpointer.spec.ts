import { readdirSync, readFileSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
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

/** Whether every frame in the WAL has been copied (`nBackfill` = `mxFrame` in the `-shm` header, native byte order). */
function walCopied(path: string): boolean {
  const header = readFileSync(`${path}-shm`).subarray(0, 100);
  const read = (at: number) => (endianness() === 'LE' ? header.readUInt32LE(at) : header.readUInt32BE(at));
  return read(16) > 0 && read(96) === read(16);
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

  it('copies the whole log once writes pause, so the writer starts it over instead of growing the file', async () => {
    const wal = () => statSync(`${path}-wal`).size;
    const burst = async (round: number) => {
      const before = databasePages(path);
      for (let batch = 0; batch < 12; batch++) {
        await database.transaction(async (sql) => {
          for (let i = 0; i < 100; i++)
            await sql.execute('INSERT INTO checkpoint_test (body) VALUES ($1)', [Buffer.alloc(PAGE - 200, round)]);
        });
      }
      // ~1,200 pages, then a pause: the thread copies them all.
      await until(() => databasePages(path) >= before + 1_000 && walCopied(path), 10_000);
    };
    await burst(1);
    const grown = wal();
    for (let round = 2; round <= 4; round++) await burst(round);
    // Each burst after the first rewrote the log from its beginning: the file holds one burst
    // (a later burst writes a few pages more, the table's inner pages), not four.
    expect(wal()).toBeLessThan(grown * 1.2);
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
