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
 *
 * Copying is not enough to keep the log short: the writer starts the log over only when a write
 * transaction begins with every frame copied, and under a steady load commits land while each
 * checkpoint runs, so some frames always wait. The log then grows until the writer's backstop
 * autocheckpoint runs inside a COMMIT, on the event loop (6–13 ms every ~4,000 frames in the
 * 1,000-record produce loop). So once the log holds `minFrames` frames, a checkpoint is followed
 * by smaller ones (each copies what was committed during the one before) until none wait, at most
 * {@link CATCH_UP_PASSES} of them per look.
 */
const options = workerData as CheckpointerOptions;
const db = new Sqlite(options.path);
db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
db.pragma(`synchronous = ${options.synchronous}`);
const header = Buffer.alloc(100);
const little = endianness() === 'LE';
let shm: number | null = null;

/** Checkpoints after the first in one look, to copy what was committed meanwhile. */
const CATCH_UP_PASSES = 4;

/** The log's frames, and how many of them are copied into the database; null when the index cannot be read. */
function walFrames(): { frames: number; copied: number } | null {
  try {
    shm ??= openSync(`${options.path}-shm`, 'r');
    if (readSync(shm, header, 0, header.length, 0) < header.length) return null;
    const frames = little ? header.readUInt32LE(16) : header.readUInt32BE(16);
    const copied = little ? header.readUInt32LE(96) : header.readUInt32BE(96);
    return { frames, copied };
  } catch {
    return null;
  }
}

/**
 * Whether to checkpoint: the log holds `minFrames` frames and not all are copied. A shorter log
 * waits, as under SQLite's own autocheckpoint: a quiet broker's few frames cost no fsyncs.
 */
function due(wal: { frames: number; copied: number } | null): boolean {
  if (wal === null) return true; // unreadable index: checkpoint anyway, as SQLite would
  return wal.frames >= options.minFrames && wal.copied < wal.frames;
}

function checkpoint(): void {
  for (let pass = 0; pass <= CATCH_UP_PASSES; pass++) {
    const wal = walFrames();
    if (!due(wal)) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // SQLITE_BUSY (another process checkpoints) or a full disk: the next round tries again,
      // and the writer's own autocheckpoint stays as the backstop.
      return;
    }
    if (wal === null) return;
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
