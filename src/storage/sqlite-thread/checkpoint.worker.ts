import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import type { CheckpointerOptions } from './wal-checkpointer.js';

/**
 * The WAL checkpointer's thread: a connection of its own that copies committed pages from the
 * write-ahead log into the database file (`PRAGMA wal_checkpoint(PASSIVE)`: never waits for
 * the writer, never blocks it), with the two fsyncs that takes, so none of it runs on the
 * broker's event loop inside a COMMIT. It checkpoints once `minFrames` frames wait, looking
 * every `intervalMs` at the WAL index's header (the `-shm` file: `mxFrame`, the frames in the
 * log, and `nBackfill`, those already copied; see https://www.sqlite.org/walformat.html).
 */
const options = workerData as CheckpointerOptions;
const db = new Sqlite(options.path);
db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
db.pragma(`synchronous = ${options.synchronous}`);
const header = Buffer.alloc(100);
const little = endianness() === 'LE';
let shm: number | null = null;

/** Frames in the log not yet copied into the database; null when the index cannot be read. */
function waitingFrames(): number | null {
  try {
    shm ??= openSync(`${options.path}-shm`, 'r');
    if (readSync(shm, header, 0, header.length, 0) < header.length) return null;
    const mxFrame = little ? header.readUInt32LE(16) : header.readUInt32BE(16);
    const nBackfill = little ? header.readUInt32LE(96) : header.readUInt32BE(96);
    return mxFrame - nBackfill;
  } catch {
    return null;
  }
}

function checkpoint(): void {
  const waiting = waitingFrames();
  if (waiting !== null && waiting < options.minFrames) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY (another process checkpoints) or a full disk: the next round tries again,
    // and the writer's own autocheckpoint stays as the backstop.
  }
}

const timer = setInterval(checkpoint, options.intervalMs);
parentPort!.on('message', () => {
  clearInterval(timer);
  if (shm !== null) closeSync(shm);
  db.close();
  parentPort!.close();
});
parentPort!.postMessage('open');
