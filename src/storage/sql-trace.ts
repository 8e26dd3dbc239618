import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * A debug trace of every PostgreSQL statement, for finding where a job's time goes: with
 * `SHOAL_SQL_TRACE=<file>` each statement appends one line, `<start ms> <duration ms> <sql>`
 * (times from the process's performance clock, microsecond precision, SQL on one line, cut at
 * 160 characters). Off (and free) otherwise. `bench/sql-trace-summary.mjs` sums a trace up. The
 * first line, `# timeOrigin <ms>`, puts the times on the wall clock (`timeOrigin + start`), so a
 * trace lines up with another process's `performance.timeOrigin + now()`.
 */
export class SqlTrace {
  private constructor(private readonly out: WriteStream) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): SqlTrace | undefined {
    const path = env.SHOAL_SQL_TRACE;
    if (!path) return undefined;
    const out = createWriteStream(path, { flags: 'a' });
    out.write(`# timeOrigin ${performance.timeOrigin.toFixed(3)}\n`);
    return new SqlTrace(out);
  }

  /** A statement that started at `started` (performance.now()) has just ended. */
  note(sql: string, started: number): void {
    const ended = performance.now();
    const text = sql.replace(/\s+/g, ' ').trim().slice(0, 160);
    this.out.write(`${started.toFixed(3)} ${(ended - started).toFixed(3)} ${text}\n`);
  }

  close(): void {
    this.out.end();
  }
}
