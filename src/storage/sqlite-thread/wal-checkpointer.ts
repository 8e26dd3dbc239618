import { Worker } from 'node:worker_threads';
import { sqliteWorkerScript } from './sqlite-worker-script.js';

/** How the checkpointer's thread opens its connection and when it checkpoints. */
export interface CheckpointerOptions {
  path: string;
  synchronous: 'FULL' | 'NORMAL' | 'OFF' | 'EXTRA';
  busyTimeoutMs: number;
  /** How often the thread looks at the WAL. */
  intervalMs: number;
  /** Frames (pages) waiting in the WAL that make a checkpoint worth its two fsyncs. */
  minFrames: number;
}

/**
 * The WAL checkpoints of a SQLite file, in a thread of their own (`checkpoint.worker.ts`).
 * SQLite checkpoints inside the COMMIT that pushes the WAL past `wal_autocheckpoint` pages:
 * on the event-loop connection that COMMIT then copies ~4 MB into the database file and
 * fsyncs it twice, stalling every request for as long as the disk takes. With this running,
 * the connection's autocheckpoint is raised to a backstop ({@link BACKSTOP_PAGES}) that a
 * working checkpointer never lets the WAL reach.
 */
export class WalCheckpointer {
  /** The writer's `wal_autocheckpoint` while the thread runs: only if it falls far behind. */
  static readonly BACKSTOP_PAGES = 4_000;

  private constructor(
    private readonly worker: Worker,
    private readonly exited: Promise<void>,
  ) {}

  static async start(options: CheckpointerOptions): Promise<WalCheckpointer> {
    const worker = new Worker(sqliteWorkerScript('checkpoint.worker'), { workerData: options });
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    worker.unref(); // a timer's thread: it never holds the process open
    worker.on('error', () => undefined); // the writer's backstop autocheckpoint takes over
    return new WalCheckpointer(worker, exited);
  }

  /** Stops checkpointing and closes the thread's connection (before the writer's own close). */
  async stop(): Promise<void> {
    this.worker.ref(); // the writer closes only after this thread's connection has
    this.worker.postMessage('stop');
    await this.exited;
  }
}
