import { parentPort, workerData } from 'node:worker_threads';
import { SqliteConnection, wireError } from './sqlite-connection.js';
import type { SqliteReply, SqliteRequest, SqliteThreadOptions } from './sqlite-thread.messages.js';

/**
 * The SQLite connection's own thread: better-sqlite3 is synchronous, so here every statement
 * and every COMMIT blocks this thread instead of the broker's event loop. Requests are
 * answered one at a time, in the order they came.
 */
const port = parentPort!;
let connection: SqliteConnection | null = null;

try {
  connection = new SqliteConnection(workerData as SqliteThreadOptions);
  port.postMessage({ ok: true } satisfies SqliteReply);
} catch (error) {
  port.postMessage({ ok: false, error: wireError(error) } satisfies SqliteReply);
  port.close();
}

port.on('message', (request: SqliteRequest) => {
  port.postMessage(connection!.answer(request));
  if (request.op === 'close') port.close();
});
