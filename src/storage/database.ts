import { Logger } from '@nestjs/common';
import type { DatabaseKind } from './sql-dialect.js';
import type { SqlSessions } from './sql-session.js';

/** What a store needs to run SQL: inside a transaction or on its own. */
export interface Sql {
  readonly kind: DatabaseKind;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; answers the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

/**
 * The one door to the database. SQLite has a single connection, in a worker thread of its
 * own (`SqliteThread`), and every use of it — reads included, so that no read sees another
 * caller's uncommitted transaction — runs one at a time in arrival order. PostgreSQL takes a
 * pooled connection per use.
 */
export class Database {
  private readonly logger = new Logger(Database.name);

  constructor(
    readonly kind: DatabaseKind,
    private readonly sessions: SqlSessions,
  ) {}

  /** Runs `work` outside a transaction (each statement commits on its own). */
  run<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.sessions.use(work);
  }

  /** Waits for the uses already started, then closes the connections (and SQLite's thread). */
  close(): Promise<void> {
    return this.sessions.close();
  }

  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * On PostgreSQL a transaction chosen as a deadlock victim (or failing serialization) is
   * run again from the start, a few times, since nothing of it was kept.
   */
  async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactionOnce(work);
      } catch (error) {
        const code = (error as { driverError?: { code?: string } }).driverError?.code;
        if (this.kind !== 'postgres' || attempt >= 5 || (code !== '40P01' && code !== '40001')) throw error;
        this.logger.warn(
          `transaction retried after ${code === '40P01' ? 'a deadlock' : 'a serialization failure'} (attempt ${attempt})`,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  private transactionOnce<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.sessions.use(async (session) => {
      // SQLite: BEGIN IMMEDIATE (sent with the first statement) takes the write lock up front, so
      // two processes on one file wait for each other (busy_timeout) instead of failing to upgrade a read lock.
      await session.begin();
      try {
        const result = await work(session);
        await session.commit();
        return result;
      } catch (error) {
        await session.rollback().catch((rollbackError: unknown) => {
          this.logger.error(`rollback failed: ${String(rollbackError)}`);
        });
        throw error;
      }
    });
  }
}
