import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import type { CheckpointerOptions } from './wal-checkpointer.js';
import { WalCheckpointPolicy } from './wal-checkpoint-policy.js';

/**
 * The WAL checkpointer's thread: a connection of its own that copies committed pages from the
 * write-ahead log into the database file (`PRAGMA wal_checkpoint(PASSIVE)`: never waits for
 * the writer, never blocks it), with the two fsyncs that takes, so none of it runs on the
 * broker's event loop inside a COMMIT. Every `intervalMs` it reads the WAL index's header (the
 * `-shm` file: `mxFrame`, the frames in the log, and `nBackfill`, those already copied; see
 * https://www.sqlite.org/walformat.html) and asks {@link WalCheckpointPolicy} whether to copy now.
 */
const options = workerData as CheckpointerOptions;
const db = new Sqlite(options.path);
db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
db.pragma(`synchronous = ${options.synchronous}`);
const header = Buffer.alloc(100);
const little = endianness() === 'LE';
const policy = new WalCheckpointPolicy(options.idleFrames, options.busyFrames, options.quietMs);
let shm: number | null = null;

/** `mxFrame` and `nBackfill` from the WAL index header; null when it cannot be read. */
function walIndex(): { frames: number; backfilled: number } | null {
  try {
    shm ??= openSync(`${options.path}-shm`, 'r');
    if (readSync(shm, header, 0, header.length, 0) < header.length) return null;
    const read = (at: number) => (little ? header.readUInt32LE(at) : header.readUInt32BE(at));
    return { frames: read(16), backfilled: read(96) };
  } catch {
    return null;
  }
}

function look(): void {
  const index = walIndex();
  if (index !== null && !policy.due(index.frames, index.backfilled, performance.now())) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY (another process checkpoints) or a full disk: the next round tries again,
    // and the writer's own autocheckpoint stays as the backstop.
  }
}

const timer = setInterval(look, options.intervalMs);
parentPort!.on('message', () => {
  clearInterval(timer);
  if (shm !== null) closeSync(shm);
  db.close();
  parentPort!.close();
});
parentPort!.postMessage('open');
