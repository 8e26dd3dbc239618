import { jest } from '@jest/globals';
import pg from 'pg';
import { openDatabase } from '../../src/storage/data-source.js';
import type { Database } from '../../src/storage/database.js';
import { PgFlushBarrier } from '../../src/storage/pg-flush-barrier.js';
import { PgBinaryArray } from '../../src/storage/pg-binary-array.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

/**
 * PostgreSQL's sessions: statements sent ahead of the next one (`Sql.later`), and commits flushed
 * apart from them (`durable: 'apart'`, the flush barrier).
 */
describe('PostgreSQL sessions', () => {
  let storage: TestStorage;
  let database: Database;

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    database = await openDatabase(storage.storage);
    await database.run((sql) =>
      sql.execute(
        'CREATE TABLE later_test (id INTEGER PRIMARY KEY, n BIGINT NOT NULL, label TEXT, ratio DOUBLE PRECISION, body BYTEA)',
      ),
    );
  });

  afterAll(async () => {
    await database.close();
    await storage.dispose();
  });

  beforeEach(() => database.run((sql) => sql.execute('DELETE FROM later_test')));

  const rows = () =>
    database.run((sql) =>
      sql.rows<{ id: number; n: number | string; label: string | null; ratio: number | null }>(
        'SELECT id, n, label, ratio FROM later_test ORDER BY id',
      ),
    );

  it('runs statements sent later in order, before the next statement reads', async () => {
    const seen = await database.transaction(async (sql) => {
      await sql.later('INSERT INTO later_test (id, n, label) VALUES ($1, $2, $3)', [1, -5, "it's \\ quoted"]);
      await sql.later('UPDATE later_test SET n = n * $2 WHERE id = $1', [1, -2]);
      // Parameters that are not written out (a fraction) go as a statement of their own, in order.
      await sql.later('UPDATE later_test SET ratio = $2 WHERE id = $1', [1, 0.5]);
      await sql.later('INSERT INTO later_test (id, n) SELECT i, 0 FROM unnest($1::integer[]) AS i', [[2, 3]]);
      return sql.rows<{ id: number; n: string }>('SELECT id, n FROM later_test ORDER BY id');
    });
    expect(seen.map((r) => [r.id, Number(r.n)])).toEqual([
      [1, 10],
      [2, 0],
      [3, 0],
    ]);
    const [first] = await rows();
    expect({ ...first, n: Number(first.n) }).toEqual({ id: 1, n: 10, label: "it's \\ quoted", ratio: 0.5 });
  });

  it('commits statements sent later with the COMMIT, and rolls the transaction back when one fails', async () => {
    await database.transaction(async (sql) => {
      await sql.execute('INSERT INTO later_test (id, n) VALUES ($1, $2)', [1, 1]);
      await sql.later('UPDATE later_test SET n = $2 WHERE id = $1', [1, 7]);
    });
    expect((await rows()).map((r) => Number(r.n))).toEqual([7]);

    // A duplicate key sent later fails the COMMIT it went with: nothing of the transaction stays.
    await expect(
      database.transaction(async (sql) => {
        await sql.execute('UPDATE later_test SET n = $2 WHERE id = $1', [1, 8]);
        await sql.later('INSERT INTO later_test (id, n) VALUES ($1, $2)', [1, 9]);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await rows()).map((r) => Number(r.n))).toEqual([7]);

    // Also when it fails the next statement instead; the connection is usable afterwards.
    await expect(
      database.transaction(async (sql) => {
        await sql.later('INSERT INTO later_test (id, n) VALUES ($1, $2)', [1, 9]);
        await sql.rows('SELECT 1');
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await rows()).map((r) => Number(r.n))).toEqual([7]);
  });

  it('writes out arrays of strings, bytes and nulls', async () => {
    await database.transaction((sql) =>
      sql.later(
        'INSERT INTO later_test (id, n, label, body) SELECT * FROM unnest($1::integer[], $2::bigint[], $3::text[], $4::bytea[])',
        [
          [1, 2, 3],
          [10, -20, 30],
          ['{"a":"b\\"}', null, "'"],
          [Buffer.from([0, 255]), null, Buffer.alloc(0)],
        ],
      ),
    );
    const stored = await database.run((sql) =>
      sql.rows<{ id: number; n: number; label: string | null; body: Buffer | null }>(
        'SELECT id, n, label, body FROM later_test ORDER BY id',
      ),
    );
    expect(stored.map((r) => [r.id, Number(r.n), r.label, r.body === null ? null : [...r.body]])).toEqual([
      [1, 10, '{"a":"b\\"}', [0, 255]],
      [2, -20, null, null],
      [3, 30, "'", []],
    ]);
  });

  it('runs a statement sent later at once outside a transaction', async () => {
    await database.run((sql) => sql.later('INSERT INTO later_test (id, n) VALUES ($1, $2)', [4, 4]));
    expect((await rows()).map((r) => r.id)).toEqual([4]);
  });

  it('sends a statement sent later as last with the COMMIT, after every other, and drops it on a rollback', async () => {
    const seen = await database.transaction(async (sql) => {
      await sql.later('UPDATE later_test SET n = n + $2 WHERE id = $1', [5, 100], { last: true });
      await sql.execute('INSERT INTO later_test (id, n, label) VALUES ($1, $2, $3)', [5, 1, 'first']);
      await sql.later('UPDATE later_test SET n = n * $2 WHERE id = $1 AND $3', [5, 10, true]);
      // Not out yet: the next statement reads what the plain later one did, not the last one.
      return sql.rows<{ n: string }>('SELECT n FROM later_test WHERE id = 5');
    });
    expect(Number(seen[0].n)).toBe(10);
    expect((await rows()).map((r) => [r.id, Number(r.n)])).toEqual([[5, 110]]);
    await expect(
      database.transaction(async (sql) => {
        await sql.later('UPDATE later_test SET n = 0 WHERE id = $1', [5], { last: true });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await rows()).map((r) => [r.id, Number(r.n)])).toEqual([[5, 110]]);
  });
  it('answers a commit flushed apart once the flush barrier is through, and its rows are locked only until the commit', async () => {
    expect(database.flushesApart).toBe(true);
    await database.run((sql) => sql.execute('INSERT INTO later_test (id, n) VALUES (1, 0)'));
    const { durable } = await database.commit((sql) => sql.execute('UPDATE later_test SET n = n + 1 WHERE id = 1'), {
      durable: 'apart',
    });
    // The row lock went with the commit: another transaction updates the row before the flush is confirmed.
    await database.transaction((sql) => sql.execute('UPDATE later_test SET n = n + 1 WHERE id = 1'));
    await durable;
    expect((await rows()).map((r) => Number(r.n))).toEqual([2]);
  });

  it('lets a commit flushed apart wait for its own flush after all, without a barrier, when the work says so', async () => {
    const { barrier } = (database as unknown as { sessions: { barrier: PgFlushBarrier } }).sessions;
    const flushed = jest.spyOn(barrier, 'flushed');
    try {
      const insert = (id: number, flushWithCommit: boolean) =>
        database.commit((sql) => sql.execute('INSERT INTO later_test (id, n) VALUES ($1, 0)', [id]), {
          durable: 'apart',
          flushWithCommit: () => flushWithCommit,
        });
      await (
        await insert(1, true)
      ).durable;
      expect(flushed).not.toHaveBeenCalled();
      await (
        await insert(2, false)
      ).durable;
      expect(flushed).toHaveBeenCalledTimes(1);
      expect((await rows()).map((r) => r.id)).toEqual([1, 2]);
    } finally {
      flushed.mockRestore();
    }
  });

  it('shares one barrier among the callers that arrive while one is under way', async () => {
    let sent = 0;
    let release!: () => void;
    const barrier = new PgFlushBarrier(async () => {
      sent++;
      if (sent === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = barrier.flushed();
    const waiting = [barrier.flushed(), barrier.flushed(), barrier.flushed()];
    expect(sent).toBe(1);
    release();
    await Promise.all([first, ...waiting]);
    expect(sent).toBe(2); // the three that came during the first share the second
  });

  it('flushes the WAL past a commit made with synchronous_commit off', async () => {
    const url = (storage.storage as { url: string }).url;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit TO OFF');
      await client.query('INSERT INTO later_test (id, n) VALUES (5, 5)');
      await client.query('COMMIT');
      const { rows: before } = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
      await client.query(PgFlushBarrier.STATEMENT);
      const { rows: after } = await client.query<{ ahead: boolean }>(
        'SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS ahead',
        [before[0].lsn],
      );
      expect(after[0].ahead).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('runs a statement alone as a transaction of its own; what follows opens the transaction afresh', async () => {
    await expect(
      database.transaction(async (sql) => {
        await sql.alone('INSERT INTO later_test (id, n) VALUES ($1, $2)', [1, 1]);
        await sql.execute('INSERT INTO later_test (id, n) VALUES ($1, $2)', [2, 2]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // The statement alone committed as it ended; the one after it was rolled back with its transaction.
    expect((await rows()).map((r) => r.id)).toEqual([1]);
    // After other statements it is one of the transaction's: rolled back with it.
    await expect(
      database.transaction(async (sql) => {
        await sql.execute('INSERT INTO later_test (id, n) VALUES ($1, $2)', [3, 3]);
        await sql.alone('INSERT INTO later_test (id, n) VALUES ($1, $2)', [4, 4]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await rows()).map((r) => r.id)).toEqual([1]);
    // A statement that fails alone leaves nothing; the transaction can go on after it.
    await database.transaction(async (sql) => {
      await expect(sql.alone('INSERT INTO later_test (id, n) VALUES ($1, $2)', [1, 9])).rejects.toThrow();
      await sql.execute('INSERT INTO later_test (id, n) VALUES ($1, $2)', [5, 5]);
    });
    expect((await rows()).map((r) => [r.id, Number(r.n)])).toEqual([
      [1, 1],
      [5, 5],
    ]);
  });

  it('sends arrays in binary form: text with quotes, backslashes and non-ASCII, bytes, integers and nulls', async () => {
    const texts = ['{"a":"b\\"}', "it's", 'é 😀', '', null, '{}'];
    const bytes = [Buffer.from([0, 1, 255]), null, Buffer.alloc(0)];
    const ints = [0, -1, 2147483647, -2147483648];
    const bigs = [0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    const [row] = await database.run((sql) =>
      sql.rows<{ t: (string | null)[]; b: (Buffer | null)[]; i: number[]; n: string[]; e: number }>(
        'SELECT $1::text[] AS t, $2::bytea[] AS b, $3::integer[] AS i, $4::bigint[] AS n, cardinality($5::text[]) AS e',
        [
          PgBinaryArray.of('text', texts),
          PgBinaryArray.of('bytea', bytes),
          PgBinaryArray.of('int4', ints),
          PgBinaryArray.of('int8', bigs),
          PgBinaryArray.of('text', []),
        ],
      ),
    );
    expect(row.t).toEqual(texts);
    expect(row.b).toEqual(bytes);
    expect(row.i).toEqual(ints);
    expect(row.n.map(Number)).toEqual(bigs);
    expect(row.e).toBe(0);
  });

  it('never writes a binary array out as a literal: it stays a parameter of a statement sent later', async () => {
    await database.transaction(async (sql) => {
      await sql.later('INSERT INTO later_test (id, n, label) SELECT 7, 0, l FROM unnest($1::text[]) AS l', [
        PgBinaryArray.of('text', ["a'b"]),
      ]);
    });
    expect((await rows()).map((r) => [r.id, r.label])).toEqual([[7, "a'b"]]);
  });
});
