import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { toSqlite } from '../sql-dialect.js';
import type { SqliteReply, SqliteRequest, SqliteThreadOptions, WireError } from './sqlite-thread.messages.js';

/**
 * The SQLite connection's own thread: better-sqlite3 is synchronous, so here every statement
 * and every fsync'd COMMIT blocks this thread instead of the broker's event loop. Requests
 * are answered one at a time, in the order they came.
 */
interface Prepared {
  statement: Sqlite.Statement<unknown[]>;
  reader: boolean;
  columns: string[];
}

const options = workerData as SqliteThreadOptions;
const port = parentPort!;
const cache = new Map<string, Prepared>();
let db: Sqlite.Database;

try {
  db = new Sqlite(options.image ? Buffer.from(options.image) : options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  db.pragma('foreign_keys = ON');
  port.postMessage({ ok: true } satisfies SqliteReply);
} catch (error) {
  port.postMessage({ ok: false, error: wireError(error) } satisfies SqliteReply);
  port.close();
}

port.on('message', (request: SqliteRequest) => {
  let reply: SqliteReply;
  try {
    reply = answer(request);
  } catch (error) {
    reply = { ok: false, error: wireError(error) };
  }
  port.postMessage(reply);
  if (request.op === 'close') port.close();
});

function answer(request: SqliteRequest): SqliteReply {
  switch (request.op) {
    case 'statement': {
      if (request.begin) prepared('BEGIN IMMEDIATE').statement.run();
      return statement(request.sql, request.params);
    }
    case 'commit':
      prepared('COMMIT').statement.run();
      return { ok: true };
    case 'rollback':
      // SQLite rolls back by itself after some failures (a full disk, say): nothing left to undo.
      if (db.inTransaction) prepared('ROLLBACK').statement.run();
      return { ok: true };
    case 'close':
      db.close();
      return { ok: true };
  }
}

function statement(sql: string, params: readonly unknown[]): SqliteReply {
  const [text, ordered] = toSqlite(sql, params);
  const { statement, reader, columns } = prepared(text);
  // better-sqlite3 binds no booleans; TypeORM passed them as 0/1, and so do we.
  const bound = ordered.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  if (reader) return { ok: true, columns, rows: statement.all(...bound) as unknown[][] };
  return { ok: true, changes: statement.run(...bound).changes };
}

/** Prepared statements by text, the oldest forgotten first past `statementCacheSize`. */
function prepared(text: string): Prepared {
  let entry = cache.get(text);
  if (entry === undefined) {
    const statement = db.prepare<unknown[]>(text);
    const reader = statement.reader;
    if (reader) statement.raw(true);
    entry = { statement, reader, columns: reader ? statement.columns().map((c) => c.name) : [] };
    if (cache.size >= options.statementCacheSize) cache.delete(cache.keys().next().value!);
    cache.set(text, entry);
  }
  return entry;
}

function wireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}
