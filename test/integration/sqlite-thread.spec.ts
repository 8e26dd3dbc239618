import { jest } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { QueryFailedError } from 'typeorm';
import { storageErrorKind } from '../../src/storage/storage-error-kind.js';
import { openDatabase } from '../../src/storage/data-source.js';
import type { Database } from '../../src/storage/database.js';
import { SqliteThread } from '../../src/storage/sqlite-thread/sqlite-thread.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

/** A statement that keeps SQLite busy for a while (hundreds of ms) and answers one row. */
const LONG_COUNT = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $1) SELECT count(*) AS n FROM c`;

/** Ticks a 5 ms interval and watches the event loop's delay while `work` runs. */
async function whileTicking<T>(work: () => Promise<T>): Promise<{ result: T; ticks: number; maxDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  delay.enable();
  try {
    const result = await work();
    return { result, ticks, maxDelayMs: delay.max / 1e6 };
  } finally {
    delay.disable();
    clearInterval(interval);
  }
}

function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

describe(SqliteThread.name, () => {
  let storage: TestStorage;
  let database: Database;

  beforeEach(async () => {
    storage = await createTestStorage('sqlite');
    database = await openDatabase({ ...storage.storage, sqliteThread: true });
    await database.run((sql) =>
      sql.execute('CREATE TABLE thread_test (id INTEGER PRIMARY KEY, big BIGINT, body BLOB)'),
    );
  });

  afterEach(async () => {
    await database.close();
    await storage.dispose();
  });

  it('keeps the event loop turning while a long statement runs', async () => {
    const started = performance.now();
    const { result, ticks, maxDelayMs } = await whileTicking(() =>
      database.run((sql) => sql.rows<{ n: number }>(LONG_COUNT, [3_000_000])),
    );
    const statementMs = performance.now() - started;
    expect(result).toEqual([{ n: 3_000_000 }]);
    // On the event loop, the statement would have let no tick through and delayed it by its whole length.
    expect(statementMs).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(maxDelayMs).toBeLessThan(statementMs / 2);
  });

  it('keeps the event loop turning through many fsync’d commits, and commits them in order', async () => {
    const { ticks, maxDelayMs } = await whileTicking(() =>
      Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          database.transaction((sql) => sql.execute('INSERT INTO thread_test (id, big) VALUES ($1, $2)', [i, i])),
        ),
      ),
    );
    const rows = await database.run((sql) => sql.rows<{ id: number }>('SELECT id FROM thread_test ORDER BY rowid'));
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(ticks).toBeGreaterThan(0);
    expect(maxDelayMs).toBeLessThan(1_000);
  });

  it('answers rows with the types better-sqlite3 gave: numbers, Buffers, null, text; booleans bound as 0/1', async () => {
    const body = Buffer.from([0, 1, 2, 250, 255]);
    await database.run((sql) =>
      sql.execute('INSERT INTO thread_test (id, big, body) VALUES ($1, $2, $3), ($4, $5, $6)', [
        1,
        2 ** 50 + 3,
        body,
        2,
        true,
        null,
      ]),
    );
    const rows = await database.run((sql) =>
      sql.rows<{ id: number; big: number; body: Buffer | null; label: string }>(
        `SELECT id, big, body, $2 || ':' || $1 AS label FROM thread_test ORDER BY id`,
        ['a', 'b'],
      ),
    );
    expect(rows).toEqual([
      { id: 1, big: 2 ** 50 + 3, body, label: 'b:a' },
      { id: 2, big: 1, body: null, label: 'b:a' },
    ]);
    expect(Buffer.isBuffer(rows[0].body)).toBe(true);
    expect(await database.run((sql) => sql.execute('UPDATE thread_test SET big = big + 1'))).toBe(2);
    expect(await database.run((sql) => sql.rows('UPDATE thread_test SET big = 0 WHERE id = 99'))).toEqual([]);
  });

  it('fails a constraint violation as TypeORM did (QueryFailedError, the SQLite code) and rolls back the transaction', async () => {
    await database.run((sql) => sql.execute('INSERT INTO thread_test (id) VALUES (1)'));
    const failure = await database
      .transaction(async (sql) => {
        await sql.execute('INSERT INTO thread_test (id) VALUES (2)');
        await sql.execute('INSERT INTO thread_test (id) VALUES (1)');
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure).toMatchObject({
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
      driverError: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY', name: 'SqliteError' },
      message: expect.stringContaining('UNIQUE constraint failed: thread_test.id'),
    });
    expect(storageErrorKind(failure)).toBeUndefined();
    const ids = await database.run((sql) => sql.rows<{ id: number }>('SELECT id FROM thread_test'));
    expect(ids).toEqual([{ id: 1 }]);
    await database.transaction((sql) => sql.execute('INSERT INTO thread_test (id) VALUES (3)'));
    expect(await database.run((sql) => sql.rows('SELECT id FROM thread_test ORDER BY id'))).toEqual([
      { id: 1 },
      { id: 3 },
    ]);
  });

  it('sends a transaction’s later statements with its next request or its COMMIT, in order, no round trip of their own', async () => {
    const requests = jest.spyOn(SqliteThread.prototype, 'request');
    try {
      const read = await database.transaction(async (sql) => {
        await sql.execute('INSERT INTO thread_test (id) VALUES (10)');
        await sql.later('INSERT INTO thread_test (id) VALUES (11)');
        await sql.later('UPDATE thread_test SET big = 7 WHERE id = 11');
        const rows = await sql.rows('SELECT id, big FROM thread_test WHERE id >= 10 ORDER BY id');
        await sql.later('INSERT INTO thread_test (id, big) VALUES (12, 8)');
        return rows;
      });
      expect(read).toEqual([
        { id: 10, big: null },
        { id: 11, big: 7 },
      ]);
      expect(requests.mock.calls.map(([r]) => [r.op, 'before' in r ? (r.before?.length ?? 0) : 0])).toEqual([
        ['statement', 0],
        ['statement', 2],
        ['commit', 1],
      ]);
    } finally {
      requests.mockRestore();
    }
    expect(await database.run((sql) => sql.rows('SELECT id, big FROM thread_test ORDER BY id'))).toEqual([
      { id: 10, big: null },
      { id: 11, big: 7 },
      { id: 12, big: 8 },
    ]);
  });

  it('fails the request a failed later statement went with (naming it), and rolls the transaction back', async () => {
    await database.run((sql) => sql.execute('INSERT INTO thread_test (id) VALUES (1)'));
    const duplicate = 'INSERT INTO thread_test (id) VALUES (1)';
    // Sent ahead of a statement: that statement does not run, the transaction rolls back.
    const beforeRead = await database
      .transaction(async (sql) => {
        await sql.execute('INSERT INTO thread_test (id) VALUES (2)');
        await sql.later(duplicate);
        await sql.execute('INSERT INTO thread_test (id) VALUES (3)');
      })
      .catch((error: unknown) => error);
    expect(beforeRead).toBeInstanceOf(QueryFailedError);
    expect(beforeRead).toMatchObject({ query: duplicate, code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    // Sent with the COMMIT: it fails, nothing stands.
    const beforeCommit = await database
      .transaction(async (sql) => {
        await sql.execute('INSERT INTO thread_test (id) VALUES (4)');
        await sql.later(duplicate);
      })
      .catch((error: unknown) => error);
    expect(beforeCommit).toBeInstanceOf(QueryFailedError);
    expect(beforeCommit).toMatchObject({ query: duplicate, code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    // Outside a transaction it runs at once.
    await expect(database.run((sql) => sql.later(duplicate))).rejects.toBeInstanceOf(QueryFailedError);
    expect(await database.run((sql) => sql.rows('SELECT id FROM thread_test ORDER BY id'))).toEqual([{ id: 1 }]);
    await database.transaction((sql) => sql.execute('INSERT INTO thread_test (id) VALUES (5)'));
    expect(await database.run((sql) => sql.rows('SELECT id FROM thread_test ORDER BY id'))).toEqual([
      { id: 1 },
      { id: 5 },
    ]);
  });

  it('fails a full disk with SQLITE_FULL (kind disk_full) and works again once there is room', async () => {
    const [{ page_count: pages }] = await database.run((sql) => sql.rows<{ page_count: number }>('PRAGMA page_count'));
    await database.run((sql) => sql.rows(`PRAGMA max_page_count = ${pages + 10}`));
    let failure: unknown;
    for (let i = 0; i < 100 && failure === undefined; i++)
      failure = await database
        .transaction((sql) =>
          sql.execute('INSERT INTO thread_test (id, body) VALUES ($1, $2)', [i, Buffer.alloc(20_000)]),
        )
        .then(() => undefined)
        .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure).toMatchObject({ code: 'SQLITE_FULL', driverError: { code: 'SQLITE_FULL' } });
    expect(storageErrorKind(failure)).toBe('disk_full');
    await database.run((sql) => sql.rows('PRAGMA max_page_count = 1073741823'));
    await database.transaction((sql) => sql.execute('INSERT INTO thread_test (id) VALUES ($1)', [1_000]));
    expect(await database.run((sql) => sql.rows('SELECT id FROM thread_test WHERE id = 1000'))).toEqual([
      { id: 1_000 },
    ]);
  });

  it('lets queued uses finish on close, then refuses new ones', async () => {
    const queued = database.transaction((sql) => sql.execute('INSERT INTO thread_test (id) VALUES (7)'));
    const closed = database.close();
    await expect(queued).resolves.toBe(1);
    await closed;
    await expect(database.run((sql) => sql.rows('SELECT 1'))).rejects.toThrow('the database is closed');
    database = await openDatabase({ ...storage.storage, sqliteThread: true });
    expect(await database.run((sql) => sql.rows('SELECT id FROM thread_test'))).toEqual([{ id: 7 }]);
  });

  it('fails to open with the driver’s error when the file cannot be opened', async () => {
    const opening = SqliteThread.open({
      path: dirname(storage.storage.path), // a directory
      synchronous: 'FULL',
      busyTimeoutMs: 1_000,
      statementCacheSize: 10,
    });
    await expect(opening).rejects.toMatchObject({ name: 'SqliteError', code: 'SQLITE_CANTOPEN' });
  });

  it('moves an in-memory database, migrated, into its thread', async () => {
    const memory = await openDatabase({
      ...storage.storage,
      sqliteThread: true,
      path: ':memory:',
      url: 'sqlite::memory:',
    });
    try {
      const migrations = await memory.run((sql) =>
        sql.rows<{ n: number }>('SELECT count(*) AS n FROM shoal_migration'),
      );
      expect(migrations[0].n).toBeGreaterThan(0);
    } finally {
      await memory.close();
    }
  });

  it('leaves no thread behind after opening and closing many databases', async () => {
    const before = threadCount();
    for (let i = 0; i < 10; i++) {
      const other = await openDatabase({ ...storage.storage, sqliteThread: true });
      await other.run((sql) => sql.rows('SELECT count(*) AS n FROM thread_test'));
      expect(threadCount()).toBeGreaterThan(before);
      await other.close();
    }
    expect(threadCount()).toBe(before);
  });
});
