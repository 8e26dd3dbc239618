/** How the SQLite thread opens its connection (the same pragmas the broker always used). */
export interface SqliteThreadOptions {
  path: string;
  /** `:memory:` only: the database as migrated on the main thread (`serialize()`). */
  image?: Uint8Array;
  synchronous: 'FULL' | 'NORMAL' | 'OFF' | 'EXTRA';
  busyTimeoutMs: number;
  statementCacheSize: number;
  /** `PRAGMA wal_autocheckpoint` when another thread checkpoints (absent: SQLite's 1,000 pages). */
  autocheckpointPages?: number;
}

/** A statement whose outcome nobody reads (`Sql.later`), sent ahead of the next request of its transaction. */
export interface DeferredStatement {
  sql: string;
  params: readonly unknown[];
}

/**
 * What the main thread asks of the SQLite thread. `begin` opens a transaction (BEGIN
 * IMMEDIATE) just before the statement, in the same message, so a transaction costs no
 * extra round trip to open. `before`: statements of the open transaction whose outcome nobody
 * reads, run in order first (a failure of one answers the request, which then does not run).
 */
export type SqliteRequest =
  | { op: 'statement'; sql: string; params: readonly unknown[]; begin: boolean; before?: DeferredStatement[] }
  /** One statement run once per `width` parameters of `params` (see `Sql.executeEach`). */
  | {
      op: 'each';
      sql: string;
      params: readonly unknown[];
      width: number;
      begin: boolean;
      before?: DeferredStatement[];
    }
  | { op: 'commit'; before?: DeferredStatement[] }
  | { op: 'rollback' }
  | { op: 'close' };

/** A failure as it crosses the thread boundary (structured clone keeps no `code`). */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

/**
 * The answer to one request, in the order the requests were sent. Rows come as arrays with
 * the column names once, which is cheaper to copy between threads than one object per row.
 */
export type SqliteReply =
  | { ok: true; columns?: string[]; rows?: unknown[][]; changes?: number }
  /** `sql` and `params`: the statement that failed, when it was one sent ahead (`before`). */
  | { ok: false; error: WireError; sql?: string; params?: readonly unknown[] };
