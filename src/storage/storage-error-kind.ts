/** PostgreSQL SQLSTATEs (and their classes) that mean the database, not the request, failed. */
const POSTGRES: [RegExp, string][] = [
  [/^53100$/, 'disk_full'],
  [/^58030$/, 'io'],
  [/^XX00[12]$/, 'corrupt'],
  [/^25006$/, 'read_only'],
  // 53300 too_many_connections: the server refused a new connection (max_connections reached).
  [/^(08...|57P0[123]|53300)$/, 'connection'],
];

/** better-sqlite3 result codes (extended codes start with the primary one). */
const SQLITE: [RegExp, string][] = [
  [/^SQLITE_FULL/, 'disk_full'],
  [/^SQLITE_IOERR/, 'io'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'corrupt'],
  [/^SQLITE_READONLY/, 'read_only'],
  [/^SQLITE_CANTOPEN/, 'connection'],
];

const NODE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ENOSPC|EIO)$/;

/**
 * node-postgres and its pool raise these without a code when a connection breaks or cannot be
 * made; TypeORM releases a query runner whose connection emitted 'error', and its next query
 * then fails with "Query runner already released".
 */
const PG_CONNECTION =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Connection terminated due to connection timeout|Cannot use a pool after calling end|Query runner already released)/;

/**
 * The kind of storage failure behind an error (TypeORM wraps the driver's in `driverError`),
 * or undefined when it is not one: a rule refusal or a bad request is not a disk error.
 */
export function storageErrorKind(error: unknown): string | undefined {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code;
    // Shoal's own answer for it (StorageUnavailableError), with or without the driver's error as cause.
    if (code === 'STORAGE_UNAVAILABLE' && !(e as { cause?: unknown }).cause) return 'connection';
    if (typeof code === 'string') {
      const table = code.startsWith('SQLITE_') ? SQLITE : POSTGRES;
      const found = table.find(([pattern]) => pattern.test(code));
      if (found) return found[1];
      if (NODE.test(code)) return code === 'ENOSPC' ? 'disk_full' : code === 'EIO' ? 'io' : 'connection';
    } else if (e instanceof Error && PG_CONNECTION.test(e.message)) {
      return 'connection';
    }
  }
  return undefined;
}

/** An error and what it wraps (TypeORM's `driverError`, else `cause`), a few levels deep. */
function* causes(error: unknown): Generator<object> {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    yield e;
    e = (e as { driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
}

/**
 * True when the database could not be reached, or a PostgreSQL session landed on a read-only
 * standby (25006, after a failover): the request was refused for now (503 STORAGE_UNAVAILABLE
 * with Retry-After), not for what it asked. A read-only SQLite file is not: it stays so.
 */
export function isStorageUnavailable(error: unknown): boolean {
  const kind = storageErrorKind(error);
  return kind === 'connection' || (kind === 'read_only' && !sqliteCode(error));
}

function sqliteCode(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return true;
  }
  return false;
}
