import { Logger } from '@nestjs/common';
import type { DatabaseKind } from './sql-dialect.js';
import type { LaterOptions, Sql, SqlSession, SqlSessions } from './sql-session.js';
import type { WalSync } from './wal-sync.js';
import { StorageAvailability } from './storage-availability.js';
import { isStorageUnavailable } from './storage-error-kind.js';
import { StorageUnavailableError } from '../platform/errors/index.js';

/** Stores take `Sql` from here; it is declared beside the sessions that implement it. */
export type { Sql } from './sql-session.js';

/** How a transaction must be kept. */
export interface TransactionOptions {
  /**
   * False for a transaction whose loss in a crash only rewinds state the broker rebuilds the
   * same way — a share fetch that only acquires records, as Kafka does not persist acquisition
   * either: it is answered without waiting for its own flush (a later durable commit flushes it
   * too; PostgreSQL commits it with synchronous_commit off). Default true: answered once on disk.
   *
   * `'apart'`: durable, but the commit does not wait for its own flush; {@link Database.commit}'s
   * `durable` promise resolves once it is on disk. SQLite's group commit flushes every commit
   * so; on PostgreSQL the transaction commits with synchronous_commit off (its row locks go at
   * once instead of after the flush) and a flush barrier (`pg-flush-barrier.ts`) tells when it
   * is on disk. Others may read what it wrote before that (a PostgreSQL crash in between loses
   * it, as it would any commit not yet answered): use it only where nothing else answers
   * from what it wrote as if it were durable. Without a barrier, as `true`.
   */
  durable?: boolean | 'apart';
  /**
   * With `durable: 'apart'` on PostgreSQL: asked with the work's result before the COMMIT; true
   * makes the commit wait for its own flush after all (no barrier), for a transaction that is
   * answered at once anyway (a fetch that acquired records: the barrier would only add a round trip).
   */
  flushWithCommit?: (result: unknown) => boolean;
}

/** A session that notes whether anything but a SELECT ran through it. */
class WriteNotingSession implements SqlSession {
  wrote = false;

  constructor(private readonly session: SqlSession) {}

  get kind() {
    return this.session.kind;
  }

  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    this.note(sql);
    return this.session.rows<T>(sql, params);
  }

  execute(sql: string, params?: readonly unknown[]): Promise<number> {
    this.note(sql);
    return this.session.execute(sql, params);
  }

  executeEach(sql: string, params: readonly unknown[], width: number): Promise<number> {
    this.note(sql);
    return this.session.executeEach(sql, params, width);
  }

  later(sql: string, params?: readonly unknown[], options?: LaterOptions): Promise<void> {
    this.note(sql);
    return this.session.later(sql, params, options);
  }

  alone<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    this.note(sql);
    return this.session.alone<T>(sql, params);
  }

  begin(): Promise<void> {
    return this.session.begin();
  }

  commit(): Promise<void> {
    return this.session.commit();
  }

  rollback(): Promise<void> {
    return this.session.rollback();
  }

  /** The session's {@link Sql.together}, where it has one. */
  get together(): SqlSession['together'] {
    const together = this.session.together;
    if (!together) return undefined;
    return (statements) => {
      for (const { sql } of statements) this.note(sql);
      return together.call(this.session, statements);
    };
  }

  private note(sql: string): void {
    if (!this.wrote && !/^\s*select\b/i.test(sql)) this.wrote = true;
  }
}

interface Committed<T> {
  result: T;
  generation: number;
}

/**
 * The one door to the database. SQLite has a single connection, in a worker thread of its
 * own (`SqliteThread`), and every use of it — reads included, so that no read sees another
 * caller's uncommitted transaction — runs one at a time in arrival order. PostgreSQL takes a
 * pooled connection per use.
 */
export class Database {
  private readonly logger = new Logger(Database.name);
  /** Whether the database answers, as this broker's uses of it find (`/health`, `/metrics`). */
  readonly availability = new StorageAvailability();

  /**
   * @param walSync SQLite with `synchronous = FULL` asked for: the connection runs NORMAL and
   * commits are flushed by this group commit in the thread pool (see {@link WalSync}).
   */
  constructor(
    readonly kind: DatabaseKind,
    private readonly sessions: SqlSessions,
    readonly walSync: WalSync | null = null,
  ) {}

  /** Runs `work` outside a transaction (each statement commits on its own). */
  run<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.outside(work, true);
  }

  /**
   * {@link run} for a read whose answer tells nobody outside the broker about what it read: it
   * answers as soon as it has run, without waiting for the flush of commits it may have seen.
   * The auth checks use it — a key's secret reaches its owner only in the answer to its
   * creation, which waits for that flush — so a request does not first queue behind the flush
   * of somebody else's commit. A use that wrote waits for its flush as `run` does.
   */
  peek<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.outside(work, false);
  }

  /** A use outside a transaction; a read waits for the newest commit's flush only when `waitForSeen`. */
  private outside<T>(work: (sql: Sql) => Promise<T>, waitForSeen: boolean): Promise<T> {
    return this.durably(
      this.use(async (session) => {
        const noting = new WriteNotingSession(session);
        try {
          const result = await work(noting);
          return { result, generation: noting.wrote || waitForSeen ? this.generationAfter(noting, true) : 0 };
        } catch (error) {
          // Outside a transaction each write commits on its own: one under way when the connection broke may have.
          throw noting.wrote && isStorageUnavailable(error) ? new StorageUnavailableError(true, error) : error;
        }
      }),
    );
  }

  /** Whether a commit can be flushed apart from it (`durable: 'apart'`): SQLite's group commit, PostgreSQL's flush barrier. */
  get flushesApart(): boolean {
    return this.walSync !== null || (this.sessions.barrier ?? null) !== null;
  }

  /**
   * PostgreSQL's flush barrier: resolves once every commit made before the call is on disk (see
   * PgFlushBarrier); null without one (SQLite, or a server that refused it).
   */
  barrierFlushed(): Promise<void> | null {
    return this.sessions.barrier?.flushed() ?? null;
  }

  /** Waits for the uses already started, then closes the connections (and SQLite's thread). */
  async close(): Promise<void> {
    await this.sessions.close();
    this.walSync?.close();
  }

  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * On PostgreSQL a transaction chosen as a deadlock victim (or failing serialization) is
   * run again from the start, a few times, since nothing of it was kept.
   */
  async transaction<T>(work: (sql: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { result, durable } = await this.commit(work, options);
    await durable;
    return result;
  }

  /**
   * {@link transaction}, answered as soon as it committed, with a promise of its flush: the
   * caller may start its next transaction while this one's flush runs (produce's group commit)
   * and must await `durable` before it tells anyone outside the broker. Readers of what it
   * wrote wait for the flush themselves (every read waits for the newest commit it may have seen).
   */
  async commit<T>(
    work: (sql: Sql) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<{ result: T; durable: Promise<void> }> {
    const barrier = options.durable === 'apart' ? (this.sessions.barrier ?? null) : null;
    for (let attempt = 1; ; attempt++) {
      try {
        const durable = options.durable !== false && !barrier;
        const { result, generation, flushed } = await this.transactionOnce(work, durable, options.flushWithCommit);
        return { result, durable: barrier && !flushed ? barrier.flushed() : this.flushed(generation) };
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

  private transactionOnce<T>(
    work: (sql: Sql) => Promise<T>,
    durable: boolean,
    flushWithCommit?: (result: unknown) => boolean,
  ): Promise<Committed<T> & { flushed: boolean }> {
    return this.use(async (plain) => {
      const session = new WriteNotingSession(plain);
      // SQLite: BEGIN IMMEDIATE (sent with the first statement) takes the write lock up front, so
      // two processes on one file wait for each other (busy_timeout) instead of failing to upgrade a read lock.
      await session.begin();
      // PostgreSQL's own answer to a commit that need not wait for its flush.
      // (It goes out with the transaction's first statement.)
      if (!durable && this.kind === 'postgres') await plain.later('SET LOCAL synchronous_commit TO OFF');
      try {
        const result = await work(session);
        // Back to waiting for the flush, sent with the COMMIT.
        const flushed = !durable && this.kind === 'postgres' && flushWithCommit?.(result) === true;
        if (flushed) await plain.later('SET LOCAL synchronous_commit TO ON');
        await session.commit().catch((error: unknown) => {
          // The COMMIT was sent: whether it took effect is unknown when the answer was lost.
          throw isStorageUnavailable(error) ? new StorageUnavailableError(true, error) : error;
        });
        return { result, generation: this.generationAfter(session, durable), flushed };
      } catch (error) {
        await session.rollback().catch((rollbackError: unknown) => {
          // Without a connection there is nothing to roll back (the server ends the transaction itself).
          if (!isStorageUnavailable(error)) this.logger.error(`rollback failed: ${String(rollbackError)}`);
        });
        throw error;
      }
    });
  }

  /** Every use goes through here: its outcome tells whether the database is reachable. */
  private async use<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    try {
      const result = await this.sessions.use(work);
      if (!this.availability.available) this.availability.restored();
      return result;
    } catch (error) {
      if (!isStorageUnavailable(error)) throw error;
      this.availability.lost(error);
      throw error instanceof StorageUnavailableError ? error : new StorageUnavailableError(false, error);
    }
  }

  /**
   * The flush generation a use must wait for before it answers: its own commit when it wrote
   * durably, else the newest commit so far (it may have read data not yet on disk).
   */
  private generationAfter(session: WriteNotingSession, durable: boolean): number {
    if (!this.walSync) return 0;
    return session.wrote && durable ? this.walSync.noteCommit() : this.walSync.latest;
  }

  /** Answers once the use's generation is on disk; the connection is free for others meanwhile. */
  private async durably<T>(use: Promise<Committed<T>>): Promise<T> {
    const { result, generation } = await use;
    await this.flushed(generation);
    return result;
  }

  private async flushed(generation: number): Promise<void> {
    if (this.walSync && generation > 0) await this.walSync.flushed(generation);
  }
}
