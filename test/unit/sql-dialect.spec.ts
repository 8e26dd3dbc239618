import Sqlite from 'better-sqlite3';
import { toSqlite } from '../../src/storage/sql-dialect.js';

describe(toSqlite.name, () => {
  it('turns $n into ? with the parameters in placeholder order, repeats included', () => {
    expect(toSqlite('SELECT $2 AS b, $1 AS a, $2 AS again', ['x', 'y'])).toEqual([
      'SELECT ? AS b, ? AS a, ? AS again',
      ['y', 'x', 'y'],
    ]);
    expect(toSqlite('SELECT $1, $2', [1, 2])).toEqual(['SELECT ?, ?', [1, 2]]);
  });

  it('binds a LIMIT as an integer expression, and SQLite answers it the same', () => {
    const [text, params] = toSqlite('SELECT n FROM t WHERE n >= $2 ORDER BY n LIMIT $1', [2, 3]);
    expect(text).toBe('SELECT n FROM t WHERE n >= ? ORDER BY n LIMIT CAST(? AS INTEGER)');
    expect(params).toEqual([3, 2]);
    const db = new Sqlite(':memory:');
    try {
      db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
      for (let n = 0; n < 10; n++) db.prepare('INSERT INTO t (n) VALUES (?)').run(n);
      expect(db.prepare(text).all(...params)).toEqual([{ n: 3 }, { n: 4 }]);
      const [zero, zeroParams] = toSqlite('SELECT n FROM t ORDER BY n LIMIT $1', [0]);
      expect(db.prepare(zero).all(...zeroParams)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
