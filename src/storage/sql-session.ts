import type { DatabaseKind } from './sql-dialect.js';

/** What a store needs to run SQL: inside a transaction or on its own. */
export interface Sql {
  readonly kind: DatabaseKind;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; answers the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs a statement whose outcome nobody reads: inside a PostgreSQL transaction it goes out
   * with the transaction's next statement (or its COMMIT), in one round trip where it can be
   * written out, and a failure of it fails that statement; elsewhere it runs now.
   */
  later(sql: string, params?: readonly unknown[]): Promise<void>;
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
