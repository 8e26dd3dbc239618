import { Worker } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { QueryFailedError } from 'typeorm';
import type { SqlSession, SqlSessions } from '../sql-session.js';
import type {
  DeferredStatement,
  SqliteReply,
  SqliteRequest,
  SqliteThreadOptions,
  WireError,
} from './sqlite-thread.messages.js';
import { SqliteConnection } from './sqlite-connection.js';
import { sqliteWorkerScript } from './sqlite-worker-script.js';
import type { WalCheckpointer } from './wal-checkpointer.js';

type Answer = Extract<SqliteReply, { ok: true }>;

interface Waiting {
  resolve(reply: SqliteReply): void;
  reject(error: Error): void;
}

/**
 * Uses of SQLite's one connection, one at a time in arrival order (the lane), whether it runs in
 * a thread of its own or on the event loop.
 */
abstract class SqliteLane implements SqlSessions, SqliteRequests {
  private lane: Promise<unknown> = Promise.resolve();
  protected closing: Promise<void> | null = null;

  abstract request(request: SqliteRequest): Promise<SqliteReply>;

  /** Closes the connection once `lane`, the uses queued before `close`, has finished. */
  protected abstract shutdown(lane: Promise<unknown>): Promise<void>;

  use<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the database is closed'));
    const next = this.lane.then(() => work(new SqliteThreadSession(this)));
    this.lane = next.catch(() => undefined);
    return next;
  }

  /** Lets the uses already queued finish, then closes the connection (and ends the thread). */
  close(): Promise<void> {
    this.closing ??= this.shutdown(this.lane);
    return this.closing;
  }
}

/**
 * SQLite's one connection, in a worker thread of its own, so statements and fsyncs never block
 * the event loop. Uses of it still run one at a time in arrival order (the lane): no read sees
 * another caller's uncommitted transaction. The thread holds the process open only while it
 * has work, as a synchronous connection did.
 */
export class SqliteThread extends SqliteLane {
  private readonly worker: Worker;
  private readonly waiting: Waiting[] = [];
  private readonly exited: Promise<void>;
  private gone: Error | null = null;

  private constructor(options: SqliteThreadOptions) {
    super();
    this.worker = new Worker(sqliteWorkerScript(), { workerData: options });
    this.worker.unref();
    this.worker.on('message', (reply: SqliteReply) => this.answered(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => this.fail(new Error('the SQLite thread has exited')));
  }

  /** Starts the thread and waits until its connection is open (or failed to open). */
  static async open(options: SqliteThreadOptions): Promise<SqliteThread> {
    const thread = new SqliteThread(options);
    const opened = await thread.next();
    if (!opened.ok) {
      thread.worker.ref(); // the failure is reported once the thread has ended, not lost to an early exit
      await thread.exited;
      throw driverError(opened.error);
    }
    return thread;
  }

  protected async shutdown(lane: Promise<unknown>): Promise<void> {
    this.worker.ref();
    await lane;
    if (!this.gone) await this.request({ op: 'close' }).catch(() => undefined);
    await this.exited;
  }

  /** Sends one request; answers its reply (a failure is a reply too, not a rejection). */
  request(request: SqliteRequest): Promise<SqliteReply> {
    if (this.gone) return Promise.reject(this.gone);
    const reply = this.next();
    this.worker.postMessage(request);
    return reply;
  }

  private next(): Promise<SqliteReply> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) this.worker.ref();
      this.waiting.push({ resolve, reject });
    });
  }

  private answered(reply: SqliteReply): void {
    this.waiting.shift()?.resolve(reply);
    // Closing, the thread holds the process open until it has exited: a SIGTERM'd broker
    // waits for its database to close before it re-raises the signal.
    if (this.waiting.length === 0 && this.closing === null) this.worker.unref();
  }

  private fail(error: Error): void {
    this.gone ??= error;
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
  }
}

/**
 * The same connection on the event loop (`SHOAL_SQLITE_THREAD=off`): no thread hop per
 * statement, so a use costs less CPU and answers sooner, but every statement holds the event
 * loop while it runs. Commits are not flushed here when `WalSync` flushes them.
 */
export class SqliteInline extends SqliteLane {
  private constructor(
    private readonly connection: SqliteConnection,
    private readonly checkpointer: WalCheckpointer | null,
  ) {
    super();
  }

  /**
   * @param checkpointer the file's WAL checkpoints run in that thread (`options` then raise the
   * connection's autocheckpoint to its backstop); stopped before the connection closes.
   */
  static open(options: SqliteThreadOptions, checkpointer: WalCheckpointer | null = null): SqliteInline {
    return new SqliteInline(new SqliteConnection(options), checkpointer);
  }

  protected async shutdown(lane: Promise<unknown>): Promise<void> {
    await lane;
    await this.checkpointer?.stop();
    this.connection.answer({ op: 'close' });
  }

  request(request: SqliteRequest): Promise<SqliteReply> {
    return Promise.resolve(this.connection.answer(request));
  }
}

/** Where a session's requests go: the thread, or the connection on the event loop. */
interface SqliteRequests {
  request(request: SqliteRequest): Promise<SqliteReply>;
}

/** One use of the connection: a run of statements, or one transaction. */
class SqliteThreadSession implements SqlSession {
  readonly kind = 'sqlite' as const;
  private beginWithNext = false;
  private begun = false;
  /** Inside the transaction: {@link later} statements, sent ahead of its next request. */
  private deferred: DeferredStatement[] = [];

  constructor(private readonly thread: SqliteRequests) {}

  async rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const { columns, rows } = await this.statement(sql, params);
    if (!columns || !rows) return [];
    return rows.map((row) => toRecord(columns, row) as T);
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.statement(sql, params)).changes ?? 0;
  }

  async executeEach(sql: string, params: readonly unknown[], width: number): Promise<number> {
    const begin = this.opening();
    const before = this.takeDeferred();
    return (
      unwrap(await this.thread.request({ op: 'each', sql, params, width, begin, before }), sql, params).changes ?? 0
    );
  }

  /**
   * Inside a transaction already opened, the statement goes ahead of the transaction's next
   * request (or its COMMIT), in the same message: no round trip to the thread of its own. A
   * failure of it fails that request. Elsewhere it runs now.
   */
  async later(sql: string, params: readonly unknown[] = []): Promise<void> {
    if (this.begun) this.deferred.push({ sql, params });
    else await this.statement(sql, params);
  }

  alone<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.rows<T>(sql, params);
  }

  /** BEGIN IMMEDIATE goes with the first statement: no round trip of its own. */
  async begin(): Promise<void> {
    this.beginWithNext = true;
  }

  async commit(): Promise<void> {
    if (!this.begun) return;
    // A failed COMMIT (SQLITE_BUSY) can leave the transaction open: the rollback then ends it.
    unwrap(await this.thread.request({ op: 'commit', before: this.takeDeferred() }), 'COMMIT', []);
    this.begun = false;
  }

  async rollback(): Promise<void> {
    this.deferred = [];
    if (!this.begun) return;
    this.begun = false;
    unwrap(await this.thread.request({ op: 'rollback' }), 'ROLLBACK', []);
  }

  private async statement(sql: string, params: readonly unknown[]): Promise<Answer> {
    const begin = this.opening();
    const before = this.takeDeferred();
    return unwrap(await this.thread.request({ op: 'statement', sql, params, begin, before }), sql, params);
  }

  /** The deferred statements, to go with the request about to be sent (undefined: none). */
  private takeDeferred(): DeferredStatement[] | undefined {
    if (this.deferred.length === 0) return undefined;
    const before = this.deferred;
    this.deferred = [];
    return before;
  }

  /** Whether the next request opens the transaction (BEGIN IMMEDIATE sent with it). */
  private opening(): boolean {
    const begin = this.beginWithNext;
    this.beginWithNext = false;
    if (begin) this.begun = true;
    return begin;
  }
}

function unwrap(reply: SqliteReply, sql: string, params: readonly unknown[]): Answer {
  if (reply.ok) return reply;
  // The shape TypeORM gave: a QueryFailedError with the driver's SqliteError (its `code`) inside,
  // naming the statement that failed (one sent ahead of this one, if it was that).
  throw new QueryFailedError(reply.sql ?? sql, (reply.params ?? params) as unknown[], driverError(reply.error));
}

function driverError(wire: WireError): Error {
  if (wire.code !== undefined) return new Sqlite.SqliteError(wire.message, wire.code);
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}

/** A row as better-sqlite3 gives it: BLOBs as Buffers (the copy between threads made them Uint8Arrays). */
function toRecord(columns: string[], row: unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const value = row[i];
    record[columns[i]] =
      value instanceof Uint8Array && !Buffer.isBuffer(value)
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        : value;
  }
  return record;
}
