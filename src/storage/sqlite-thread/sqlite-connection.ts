import Sqlite from 'better-sqlite3';
import { sqliteText, toSqlite } from '../sql-dialect.js';
import type { SqliteReply, SqliteRequest, SqliteThreadOptions, WireError } from './sqlite-thread.messages.js';

interface Prepared {
  statement: Sqlite.Statement<unknown[]>;
  reader: boolean;
  columns: string[];
}

/**
 * SQLite's one connection and what it answers to each request: the same code whether it runs
 * in its own worker thread (`sqlite.worker.ts`) or on the event loop (`SqliteThread.inline`).
 * Requests are answered one at a time, in the order they came.
 */
export class SqliteConnection {
  private readonly cache = new Map<string, Prepared>();
  private readonly db: Sqlite.Database;

  /** Opens the file (or the migrated image of an in-memory database) with the broker's pragmas. */
  constructor(private readonly options: SqliteThreadOptions) {
    this.db = new Sqlite(options.image ? Buffer.from(options.image) : options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous}`);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    this.db.pragma('foreign_keys = ON');
    if (options.autocheckpointPages !== undefined)
      this.db.pragma(`wal_autocheckpoint = ${options.autocheckpointPages}`);
  }

  /** Answers one request; a failure is an answer too. */
  answer(request: SqliteRequest): SqliteReply {
    try {
      return this.run(request);
    } catch (error) {
      return { ok: false, error: wireError(error) };
    }
  }

  private run(request: SqliteRequest): SqliteReply {
    switch (request.op) {
      case 'statement': {
        if (request.begin) this.prepared('BEGIN IMMEDIATE').statement.run();
        return this.deferred(request.before) ?? this.statement(request.sql, request.params);
      }
      case 'each': {
        if (request.begin) this.prepared('BEGIN IMMEDIATE').statement.run();
        return this.deferred(request.before) ?? this.each(request.sql, request.params, request.width);
      }
      case 'commit':
        return this.deferred(request.before) ?? this.commit();
      case 'rollback':
        // SQLite rolls back by itself after some failures (a full disk, say): nothing left to undo.
        if (this.db.inTransaction) this.prepared('ROLLBACK').statement.run();
        return { ok: true };
      case 'close':
        this.db.close();
        return { ok: true };
    }
  }

  /**
   * Runs statements sent ahead of a request (`Sql.later`), in order; answers the first one's
   * failure (naming that statement), which is then the request's answer, or undefined.
   */
  private deferred(statements: Extract<SqliteRequest, { op: 'commit' }>['before']): SqliteReply | undefined {
    if (statements === undefined) return undefined;
    for (const { sql, params } of statements) {
      const reply = this.answer({ op: 'statement', sql, params, begin: false });
      if (!reply.ok) return { ok: false, error: reply.error, sql, params };
    }
    return undefined;
  }

  private commit(): SqliteReply {
    this.prepared('COMMIT').statement.run();
    return { ok: true };
  }

  private statement(sql: string, params: readonly unknown[]): SqliteReply {
    const [text, ordered] = toSqlite(sql, params);
    const { statement, reader, columns } = this.prepared(text);
    const bound = ordered.includes(true) || ordered.includes(false) ? ordered.map(unboolean) : ordered;
    if (reader) return { ok: true, columns, rows: statement.all(...bound) as unknown[][] };
    return { ok: true, changes: statement.run(...bound).changes };
  }

  /** The statement once per row of `width` parameters: builtins and one native call per row, no loop per parameter. */
  private each(sql: string, params: readonly unknown[], width: number): SqliteReply {
    const { text, order } = sqliteText(sql);
    const { statement } = this.prepared(text);
    const flat = params.includes(true) || params.includes(false) ? params.map(unboolean) : params;
    let changes = 0;
    for (let at = 0; at < flat.length; at += width) {
      const row = order === null ? flat.slice(at, at + width) : order.map((i) => flat[at + i]);
      changes += statement.run(row).changes;
    }
    return { ok: true, changes };
  }

  /** Prepared statements by text, the oldest forgotten first past `statementCacheSize`. */
  private prepared(text: string): Prepared {
    let entry = this.cache.get(text);
    if (entry === undefined) {
      const statement = this.db.prepare<unknown[]>(text);
      const reader = statement.reader;
      if (reader) statement.raw(true);
      entry = { statement, reader, columns: reader ? statement.columns().map((c) => c.name) : [] };
      if (this.cache.size >= this.options.statementCacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(text, entry);
    }
    return entry;
  }
}

/** better-sqlite3 binds no booleans; TypeORM passed them as 0/1, and so do we. */
function unboolean(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/**
 * A failure as plain data. Read by shape, not `instanceof Error`: the driver's errors may come
 * from another realm (a test runner's VM context), and their `code` must survive either way.
 */
export function wireError(error: unknown): WireError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}
