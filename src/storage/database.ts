import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { type DatabaseKind, toSqlite } from './sql-dialect.js';

/** What a store needs to run SQL: inside a transaction or on its own. */
export interface Sql {
  readonly kind: DatabaseKind;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; answers the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

class QueryRunnerSql implements Sql {
  constructor(
    readonly kind: DatabaseKind,
    private readonly runner: QueryRunner,
  ) {}

  async rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.run(sql, params);
    return (result.records ?? []) as T[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.run(sql, params);
    return result.affected ?? 0;
  }

  private run(sql: string, params: readonly unknown[]) {
    if (this.kind === 'sqlite') {
      const [text, ordered] = toSqlite(sql, params);
      return this.runner.query(text, ordered, true);
    }
    return this.runner.query(sql, params as unknown[], true);
  }
}

/**
 * The one door to the database. SQLite has a single connection, so every use of it —
 * reads included, so that no read sees another caller's uncommitted transaction — runs
 * one at a time in arrival order. PostgreSQL takes a pooled connection per use.
 */
export class Database {
  private readonly logger = new Logger(Database.name);
  private lane: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dataSource: DataSource,
    readonly kind: DatabaseKind,
  ) {}

  /** Runs `work` outside a transaction (each statement commits on its own). */
  run<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.withRunner(async (runner) => work(new QueryRunnerSql(this.kind, runner)));
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
    return this.withRunner(async (runner) => {
      // SQLite: IMMEDIATE takes the write lock up front, so two processes on one file wait
      // for each other (busy_timeout) instead of failing to upgrade a read lock.
      await runner.query(this.kind === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
      try {
        const result = await work(new QueryRunnerSql(this.kind, runner));
        await runner.query('COMMIT');
        return result;
      } catch (error) {
        await runner.query('ROLLBACK').catch((rollbackError: unknown) => {
          this.logger.error(`rollback failed: ${String(rollbackError)}`);
        });
        throw error;
      }
    });
  }

  private withRunner<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') {
      return (async () => {
        const runner = this.dataSource.createQueryRunner();
        try {
          return await work(runner);
        } finally {
          await runner.release();
        }
      })();
    }
    const next = this.lane.then(() => work(this.dataSource.createQueryRunner()));
    this.lane = next.catch(() => undefined);
    return next;
  }
}
