import type { DataSource, QueryRunner } from 'typeorm';
import type { SqlSession, SqlSessions } from './sql-session.js';
import { isStorageUnavailable } from './storage-error-kind.js';

/** TypeORM's query runner releases its pooled connection with an error so the pool drops it (not in its typings). */
interface DroppingRunner {
  releasePostgresConnection(error?: Error): Promise<void>;
}

/** PostgreSQL through TypeORM: each use takes a pooled connection (a query runner). */
export class TypeOrmSessions implements SqlSessions {
  constructor(private readonly dataSource: DataSource) {}

  async use<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    let broken: Error | undefined;
    try {
      return await work(new QueryRunnerSession(runner));
    } catch (error) {
      // A broken connection, or one on a standby after a failover (25006), is not given back to
      // the pool: the next use opens a new one, to whichever host is the primary now.
      if (isStorageUnavailable(error)) broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      if (broken) await (runner as unknown as DroppingRunner).releasePostgresConnection(broken);
      else await runner.release();
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

class QueryRunnerSession implements SqlSession {
  readonly kind = 'postgres' as const;

  constructor(private readonly runner: QueryRunner) {}

  async rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.runner.query(sql, params as unknown[], true);
    return (result.records ?? []) as T[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.runner.query(sql, params as unknown[], true);
    return result.affected ?? 0;
  }

  async begin(): Promise<void> {
    await this.runner.query('BEGIN');
  }

  async commit(): Promise<void> {
    await this.runner.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.runner.query('ROLLBACK');
  }
}
