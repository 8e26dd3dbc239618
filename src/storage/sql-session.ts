import type { DatabaseKind } from './sql-dialect.js';

/** How a {@link Sql.later} statement waits. */
export interface LaterOptions {
  last?: boolean;
}

/** What a store needs to run SQL: inside a transaction or on its own. */
export interface Sql {
  readonly kind: DatabaseKind;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; answers the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs one statement once per row of parameters, `width` to a row, the rows laid end to end
   * in `params`; answers the rows changed in all. On SQLite one prepared statement run in a
   * loop, in one request to the connection (one round trip to its thread, not one per row):
   * for a few rows, such as the partitions an append moved. Many rows of an INSERT cost less
   * as one multi-row statement (one call into the driver, not one per row).
   */
  executeEach(sql: string, params: readonly unknown[], width: number): Promise<number>;
  /**
   * Runs a statement whose outcome nobody reads: inside a transaction it goes out with the
   * transaction's next statement (or its COMMIT) — on PostgreSQL in one round trip where it can
   * be written out, on SQLite in the same request to the connection — and a failure of it fails
   * that statement; outside a transaction it runs now.
   * `last`: it goes out with the COMMIT itself, after every other statement of the transaction
   * (PostgreSQL; elsewhere as without), for a write no later statement of the transaction reads:
   * it never costs a round trip of its own (a deferred statement ahead of one that cannot be
   * written out goes on its own), and the row lock it takes is the transaction's last.
   */
  later(sql: string, params?: readonly unknown[], options?: LaterOptions): Promise<void>;
  /**
   * Rows of a statement that is a whole transaction by itself: on PostgreSQL, when nothing of
   * the transaction ran yet, it runs on its own and commits as it ends (no BEGIN and COMMIT
   * round trips; a connection lost meanwhile leaves its outcome unknown), and whatever follows
   * opens the transaction afresh. So it must either write all the transaction would or nothing.
   * Elsewhere (SQLite, or after other statements) it is {@link rows}.
   */
  alone<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * PostgreSQL: the rows of each statement, all sent in one round trip (one simple query, with
   * whatever waits to go out ahead). Each statement takes its own snapshot, as separate ones
   * would: a read after a locking statement sees what the lock's holder committed. Null when
   * one cannot be written out (nothing was sent: the caller runs them its own way). Absent on SQLite.
   */
  together?(statements: { sql: string; params: readonly unknown[] }[]): Promise<unknown[][] | null>;
}

/** One connection for the length of one use: SQL, and the transaction around it if asked. */
export interface SqlSession extends Sql {
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Where sessions come from: SQLite's thread (one use at a time) or PostgreSQL's pool. */
export interface SqlSessions {
  use<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** PostgreSQL: resolves once every commit made before the call is on disk; null/absent when there is none. */
  readonly barrier?: { flushed(): Promise<void> } | null;
  close(): Promise<void>;
}
