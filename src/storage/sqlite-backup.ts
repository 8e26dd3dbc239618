import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs in a worker thread of its own: a second, read-only connection whose `VACUUM INTO`
 * writes one read transaction's snapshot of the database to a new file. In WAL mode the
 * broker's own connection keeps committing meanwhile; the copy holds exactly what was
 * committed when the read began.
 */
const COPY_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.driver);
let db;
try {
  db = new Sqlite(workerData.source, { readonly: true, fileMustExist: true, timeout: workerData.busyTimeoutMs });
  db.prepare('VACUUM INTO ?').run(workerData.target);
  parentPort.postMessage({ ok: true });
} catch (error) {
  parentPort.postMessage({ ok: false, message: String((error && error.message) || error) });
} finally {
  if (db) db.close();
}
`;

/**
 * Writes a consistent copy of the SQLite database at `source` to `target` (a path that must
 * not exist yet), off the event loop and without pausing the broker's writes.
 */
export function copySqliteDatabase(source: string, target: string, busyTimeoutMs = 10_000): Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve, reject) => {
    const worker = new Worker(COPY_SCRIPT, { eval: true, workerData: { driver, source, target, busyTimeoutMs } });
    let answer: { ok: boolean; message?: string } | undefined;
    worker.once('message', (message: { ok: boolean; message?: string }) => (answer = message));
    worker.once('error', reject);
    worker.once('exit', () => {
      if (answer?.ok) resolve();
      else reject(new Error(`SQLite backup failed: ${answer?.message ?? 'the backup thread ended without an answer'}`));
    });
  });
}
