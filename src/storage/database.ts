import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { type DatabaseKind, toSqlite } from './sql-dialect.js';
import type { WalSync } from './wal-sync.js';

/** What a store needs to run SQL: inside a transaction or on its own. */
export interface Sql {
  readonly kind: DatabaseKind;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; answers the number of rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** How a transaction must be kept. */
export interface TransactionOptions {
  /**
   * False for a transaction whose loss in a crash only rewinds state the broker rebuilds the
   * same way — a share fetch that only acquires records, as Kafka does not persist acquisition
   * either: it is answered without waiting for its own flush (a later durable commit flushes it
   * too). Default true: answered once on disk.
   */
  durable?: boolean;
}

class QueryRunnerSql implements Sql {
  /** Whether a statement other than a SELECT ran. */
  wrote = false;

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
    if (!this.wrote && !/^\s*select\b/i.test(sql)) this.wrote = true;
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

  /**
   * @param walSync SQLite with `synchronous = FULL` asked for: the connection runs NORMAL and
   * commits are flushed by this group commit off the event loop (see {@link WalSync}).
   */
  constructor(
    readonly dataSource: DataSource,
    readonly kind: DatabaseKind,
    readonly walSync: WalSync | null = null,
  ) {}

  /** Runs `work` outside a transaction (each statement commits on its own). */
  run<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.durably(
      this.withRunner(async (runner) => {
        const sql = new QueryRunnerSql(this.kind, runner);
        const result = await work(sql);
        return { result, generation: this.generationAfter(sql, true) };
      }),
    );
  }

  /** Closes the connection (and the WAL file kept open for flushing). */
  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.walSync?.close();
  }

  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * On PostgreSQL a transaction chosen as a deadlock victim (or failing serialization) is
   * run again from the start, a few times, since nothing of it was kept.
   */
  async transaction<T>(work: (sql: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.durably(this.transactionOnce(work, options.durable ?? true));
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

  private transactionOnce<T>(work: (sql: Sql) => Promise<T>, durable: boolean): Promise<Committed<T>> {
    return this.withRunner(async (runner) => {
      // SQLite: IMMEDIATE takes the write lock up front, so two processes on one file wait
      // for each other (busy_timeout) instead of failing to upgrade a read lock.
      await runner.query(this.kind === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
      // PostgreSQL's own answer to a commit that need not wait for its flush.
      if (!durable && this.kind === 'postgres') await runner.query('SET LOCAL synchronous_commit TO OFF');
      try {
        const sql = new QueryRunnerSql(this.kind, runner);
        const result = await work(sql);
        await runner.query('COMMIT');
        return { result, generation: this.generationAfter(sql, durable) };
      } catch (error) {
        await runner.query('ROLLBACK').catch((rollbackError: unknown) => {
          this.logger.error(`rollback failed: ${String(rollbackError)}`);
        });
        throw error;
      }
    });
  }

  /**
   * The flush generation a use must wait for before it answers: its own commit when it wrote
   * durably, else the newest commit so far (it may have read data not yet on disk).
   */
  private generationAfter(sql: QueryRunnerSql, durable: boolean): number {
    if (!this.walSync) return 0;
    return sql.wrote && durable ? this.walSync.noteCommit() : this.walSync.latest;
  }

  /** Answers once the use's generation is on disk; the connection is free for others meanwhile. */
  private async durably<T>(use: Promise<Committed<T>>): Promise<T> {
    const { result, generation } = await use;
    if (this.walSync && generation > 0) await this.walSync.flushed(generation);
    return result;
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

interface Committed<T> {
  result: T;
  generation: number;
}
