import type { DataSource, QueryRunner } from 'typeorm';
import type { SqlSession, SqlSessions } from './sql-session.js';

/** PostgreSQL through TypeORM: each use takes a pooled connection (a query runner). */
export class TypeOrmSessions implements SqlSessions {
  constructor(private readonly dataSource: DataSource) {}

  async use<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await work(new QueryRunnerSession(runner));
    } finally {
      await runner.release();
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
