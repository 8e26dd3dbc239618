import { closeSync, fdatasync, openSync } from 'node:fs';
import { promisify } from 'node:util';

const fdatasyncAsync = promisify(fdatasync);

/**
 * Group commit for SQLite's write-ahead log, off the event loop.
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside every COMMIT, on the thread that runs
 * the statement — for better-sqlite3 the event loop — so every commit stalls every request for
 * the length of a flush, one flush per transaction. Instead the connection runs with
 * `synchronous = NORMAL` (a COMMIT writes its frames to the WAL file without flushing; SQLite
 * still flushes the WAL before each checkpoint) and this class makes commits durable: after a
 * transaction commits, its caller waits for an `fdatasync` of the WAL file that began after the
 * commit, run in libuv's thread pool. One flush covers every commit made before it started, so
 * concurrent produces, acks and commits share flushes, and statements keep running meanwhile.
 * A caller is answered only once its commit is on disk, as with FULL.
 *
 * Commits are counted by generation: `noteCommit()` after each durable commit answers the
 * generation to wait for; `flushed(generation)` resolves once a flush that started after that
 * commit has finished.
 */
export class WalSync {
  private fd: number | null = null;
  private committed = 0;
  private durable = 0;
  /** Flushes running now, each with the newest generation it covers. */
  private readonly running = new Set<{ covered: number; done: Promise<void> }>();
  private flushes = 0;

  /**
   * @param maxConcurrentFlushes a commit made while a flush runs starts one of its own at once
   * (up to this many at a time) rather than waiting for the running one to end first: it waits
   * one flush, not one and a half on average.
   */
  constructor(
    private readonly walPath: string,
    private readonly maxConcurrentFlushes = 2,
  ) {}

  /** A commit that must survive power loss has been made; answers its generation. */
  noteCommit(): number {
    return ++this.committed;
  }

  /** The newest generation committed so far: what a reader of committed data waits for. */
  get latest(): number {
    return this.committed;
  }

  /** The newest generation known to be on disk. */
  get durableGeneration(): number {
    return this.durable;
  }

  /** How many flushes have run (each covering every commit made before it started). */
  get flushCount(): number {
    return this.flushes;
  }

  /** Resolves once every commit up to `generation` is on disk. */
  async flushed(generation: number): Promise<void> {
    while (this.durable < generation) {
      const covering = [...this.running].find((flush) => flush.covered >= generation);
      if (covering) await covering.done;
      else if (this.running.size < this.maxConcurrentFlushes) await this.flush();
      else await Promise.race([...this.running].map((flush) => flush.done));
    }
  }

  /** Closes the WAL file descriptor (the connection is closing). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private flush(): Promise<void> {
    // Everything committed before the flush starts is covered by it; later commits wait for the next.
    const covered = this.committed;
    // Opened lazily: SQLite creates the WAL file on the first write in WAL mode.
    this.fd ??= openSync(this.walPath, 'r');
    this.flushes++;
    const flush = {
      covered,
      done: fdatasyncAsync(this.fd)
        .then(() => {
          this.durable = Math.max(this.durable, covered);
        })
        .finally(() => this.running.delete(flush)),
    };
    this.running.add(flush);
    return flush.done;
  }
}
