import { Logger } from '@nestjs/common';
import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import type { LaterOptions, SqlSession, SqlSessions } from './sql-session.js';
import { PgFlushBarrier } from './pg-flush-barrier.js';
import { SqlTrace } from './sql-trace.js';
import { isStorageUnavailable } from './storage-error-kind.js';
import { StorageUnavailableError } from '../platform/errors/index.js';

/** Distinct statement texts given a name (prepared once per connection); the rest run unnamed. */
const MAX_NAMED_STATEMENTS = 1_000;

/**
 * PostgreSQL on `pg`'s pool directly (TypeORM only migrates): each use takes a pooled
 * connection. Every statement text the broker runs is a named prepared statement, parsed and
 * planned once per connection instead of on every call; a transaction's BEGIN goes out with its
 * first statement's round trip where it can (one simple query of both, its parameters escaped in). Errors
 * keep TypeORM's shape (a `QueryFailedError` with the driver's error, its SQLSTATE, inside), which
 * the retry of deadlocks and the storage-failure metrics read.
 */
export class PgSessions implements SqlSessions {
  private readonly pool: pg.Pool;
  private readonly names = new Map<string, string>();
  private readonly trace = SqlTrace.fromEnv();
  private readonly logger = new Logger(PgSessions.name);
  /** Set by {@link probeFlushBarrier} when the server allows it. */
  barrier: PgFlushBarrier | null = null;

  /** `options`: the pool's size, connect timeout and client class (host selection: pg-hosts.ts). */
  constructor(url: string, options: Omit<pg.PoolConfig, 'connectionString'> = {}) {
    this.pool = new pg.Pool({ max: 10, ...options, connectionString: url });
    // An idle connection's error (say, the server restarted) must not end the process: the pool drops it.
    this.pool.on('error', (error) => this.logger.warn(`idle PostgreSQL connection failed: ${error.message}`));
  }

  async use<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // pg's pool listens for a client's errors only while it is idle: a checked-out client whose
    // server goes away (a failover, a stopped database) emits 'error' with no listener, which
    // would end the process. Noted here, it drops the connection instead.
    const failed = (error: Error) => (broken ??= error);
    client.on('error', failed);
    try {
      return await work(new PgSession(client, this));
    } catch (error) {
      // A connection that lost its server, or one on a standby after a failover (25006), is not
      // given back to the pool: the next use opens a new one, to whichever host is the primary now.
      if (isStorageUnavailable(error)) broken ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      if (broken) client.on('error', () => undefined); // late errors of a dropped connection
      client.removeListener('error', failed);
      client.release(broken);
    }
  }

  /**
   * Tries the flush barrier once ({@link PgFlushBarrier}); without it (a server that refuses
   * the statement) every durable commit waits for its own flush, as before.
   */
  async probeFlushBarrier(): Promise<void> {
    const barrier = new PgFlushBarrier(() => this.use((session) => session.rows(PgFlushBarrier.STATEMENT)));
    try {
      await barrier.flushed();
      this.barrier = barrier;
    } catch (error) {
      this.logger.warn(`no flush barrier (${String(error)}): acknowledgements hold their rows until their flush`);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
    this.trace?.close();
  }

  /** Runs one statement, named when its text is among the first {@link MAX_NAMED_STATEMENTS}. */
  async query(client: pg.PoolClient, text: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    if (params.length === 0 && text.includes(';')) return this.simple(client, text); // several statements: not preparable
    const started = this.trace ? performance.now() : 0;
    try {
      return await client.query({ name: this.nameOf(text), text, values: params as unknown[] });
    } catch (error) {
      throw new QueryFailedError(text, params as unknown[], error as Error);
    } finally {
      this.trace?.note(text, started);
    }
  }

  /** Runs statements written out in full (one or several, `;`-separated) as one simple query: one round trip, not prepared. */
  async simple(client: pg.PoolClient, text: string): Promise<pg.QueryResult> {
    const started = this.trace ? performance.now() : 0;
    try {
      return await client.query(text);
    } catch (error) {
      throw new QueryFailedError(text, [], error as Error);
    } finally {
      this.trace?.note(text, started);
    }
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED_STATEMENTS) {
      name = `shoal_${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }
}

class PgSession implements SqlSession {
  readonly kind = 'postgres' as const;
  /** BEGIN not sent yet: it goes out with the next statement, in one simple query when that can be written out (see inline). */
  private beginPending = false;
  /** Inside a transaction: {@link later} statements wait for the next one. */
  private inTransaction = false;
  /** Statements whose outcome nobody reads, to go out ahead of the next one. */
  private readonly deferred: { sql: string; params: readonly unknown[] }[] = [];
  /** Statements to go out with the COMMIT, after everything else ({@link later} with `last`). */
  private readonly lastly: { sql: string; params: readonly unknown[] }[] = [];

  constructor(
    private readonly client: pg.PoolClient,
    private readonly sessions: PgSessions,
  ) {}

  async rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.run(sql, params)).rows as T[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.run(sql, params)).rowCount ?? 0;
  }

  /** A statement per row, one after another (the hot paths send arrays through `unnest` instead). */
  async executeEach(sql: string, params: readonly unknown[], width: number): Promise<number> {
    let changed = 0;
    for (let at = 0; at < params.length; at += width) changed += await this.execute(sql, params.slice(at, at + width));
    return changed;
  }

  async later(sql: string, params: readonly unknown[] = [], options: LaterOptions = {}): Promise<void> {
    if (this.inTransaction) (options.last ? this.lastly : this.deferred).push({ sql, params });
    else await this.run(sql, params);
  }

  async alone<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    // Inside a transaction nothing of which went out yet: the statement is the transaction,
    // committed as it ends; the BEGIN stays pending for whatever may follow.
    if (!this.inTransaction || !this.beginPending || this.deferred.length > 0 || this.lastly.length > 0)
      return this.rows<T>(sql, params);
    try {
      return (await this.sessions.query(this.client, sql, params)).rows as T[];
    } catch (error) {
      // It commits as it ends: when the answer was lost, whether it took effect is unknown.
      throw isStorageUnavailable(error) ? new StorageUnavailableError(true, error) : error;
    }
  }

  async together(statements: { sql: string; params: readonly unknown[] }[]): Promise<unknown[][] | null> {
    const texts: string[] = [];
    for (const { sql, params } of statements) {
      const text = inline(this.client, sql, params);
      if (text === null) return null;
      texts.push(text);
    }
    const ahead = await this.ahead();
    const answer = await this.sessions.simple(this.client, (ahead === null ? texts : [ahead, ...texts]).join(';'));
    const results = Array.isArray(answer) ? (answer as pg.QueryResult[]) : [answer];
    return results.slice(results.length - statements.length).map((r) => r.rows);
  }

  begin(): Promise<void> {
    this.beginPending = true;
    this.inTransaction = true;
    return Promise.resolve();
  }

  async commit(): Promise<void> {
    this.inTransaction = false;
    if (this.beginPending && this.deferred.length === 0 && this.lastly.length === 0) {
      this.beginPending = false; // nothing ran: nothing to commit
      return;
    }
    // The deferred writes, the last ones and the COMMIT in one round trip (a failed write skips the COMMIT).
    this.deferred.push(...this.lastly.splice(0));
    const ahead = await this.ahead();
    await this.sessions.simple(this.client, ahead === null ? 'COMMIT' : `${ahead};COMMIT`);
  }

  async rollback(): Promise<void> {
    this.inTransaction = false;
    this.deferred.length = 0;
    this.lastly.length = 0;
    if (this.beginPending) {
      this.beginPending = false;
      return;
    }
    await this.sessions.query(this.client, 'ROLLBACK', []);
  }

  private async run(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    const ahead = await this.ahead();
    if (ahead === null) return this.sessions.query(this.client, sql, params);
    const inlined = inline(this.client, sql, params);
    if (inlined !== null) {
      // One round trip: a simple query of all; its last result is the statement's.
      const results = (await this.sessions.simple(this.client, `${ahead};${inlined}`)) as unknown as pg.QueryResult[];
      return results[results.length - 1];
    }
    await this.sessions.simple(this.client, ahead);
    return this.sessions.query(this.client, sql, params);
  }

  /**
   * What must go out before the next statement, as one text: BEGIN if not sent, then the
   * deferred statements written out. One that cannot be written out goes now, on its own
   * (after what came before it). Null when nothing waits.
   */
  private async ahead(): Promise<string | null> {
    const parts: string[] = [];
    if (this.beginPending) {
      this.beginPending = false;
      parts.push('BEGIN');
    }
    for (const { sql, params } of this.deferred.splice(0)) {
      const text = inline(this.client, sql, params);
      if (text !== null) {
        parts.push(text);
        continue;
      }
      if (parts.length > 0) await this.sessions.simple(this.client, parts.splice(0).join(';'));
      await this.sessions.query(this.client, sql, params);
    }
    return parts.length === 0 ? null : parts.join(';');
  }
}

/**
 * The statement with its parameters written in as literals, when that is plainly safe: one
 * statement, no quoted text of its own, parameters only strings (escaped by the driver), safe
 * integers, booleans, byte buffers, nulls and short non-empty arrays of those. Null otherwise (it then goes as
 * a prepared statement of its own). Used for a transaction's first statement, which goes out
 * with the BEGIN (a group or topic looked up by name), and for the statements sent ahead of
 * another ({@link PgSession.later}).
 */
function inline(client: pg.PoolClient, sql: string, params: readonly unknown[]): string | null {
  if (sql.includes(';') || sql.includes("'") || sql.includes('$$')) return null;
  const literals: string[] = [];
  for (const param of params) {
    const literal = Array.isArray(param) ? arrayLiteral(client, param) : scalarLiteral(client, param);
    if (literal === null) return null;
    literals.push(literal);
  }
  let complete = true;
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    const literal = literals[Number(n) - 1];
    if (literal === undefined) complete = false;
    return literal ?? '';
  });
  return complete ? text : null;
}

/**
 * Items an array may have to be written out: PostgreSQL analyses every literal of a statement
 * on its own, so a long array is cheaper as one parameter (a 1,000-record produce written out
 * took half as long again as the prepared one).
 */
const MAX_INLINE_ITEMS = 32;

/** `ARRAY[…]` of scalar literals; null when empty (its type would be unknown), long, or an item cannot be written out. */
function arrayLiteral(client: pg.PoolClient, items: unknown[]): string | null {
  if (items.length === 0 || items.length > MAX_INLINE_ITEMS) return null;
  const literals: string[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const literal = scalarLiteral(client, items[i]);
    if (literal === null) return null;
    literals[i] = literal;
  }
  return `ARRAY[${literals.join(',')}]`;
}

/** NULL, a boolean, a safe integer (a negative one in parentheses: no `--` after a minus), an escaped string or bytes; else null. */
function scalarLiteral(client: pg.PoolClient, value: unknown): string | null {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return client.escapeLiteral(value);
  if (typeof value === 'number') return !Number.isSafeInteger(value) ? null : value < 0 ? `(${value})` : String(value);
  if (Buffer.isBuffer(value)) return `decode('${value.toString('hex')}','hex')`;
  return null;
}
