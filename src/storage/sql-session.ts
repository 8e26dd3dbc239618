import type { Sql } from './database.js';

/** One connection for the length of one use: SQL, and the transaction around it if asked. */
export interface SqlSession extends Sql {
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Where sessions come from: SQLite's thread (one use at a time) or PostgreSQL's pool. */
export interface SqlSessions {
  use<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
