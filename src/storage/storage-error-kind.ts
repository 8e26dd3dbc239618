/** PostgreSQL SQLSTATEs (and their classes) that mean the database, not the request, failed. */
const POSTGRES: [RegExp, string][] = [
  [/^53100$/, 'disk_full'],
  [/^58030$/, 'io'],
  [/^XX00[12]$/, 'corrupt'],
  [/^25006$/, 'read_only'],
  [/^(08...|57P0[123])$/, 'connection'],
];

/** better-sqlite3 result codes (extended codes start with the primary one). */
const SQLITE: [RegExp, string][] = [
  [/^SQLITE_FULL/, 'disk_full'],
  [/^SQLITE_IOERR/, 'io'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'corrupt'],
  [/^SQLITE_READONLY/, 'read_only'],
  [/^SQLITE_CANTOPEN/, 'connection'],
];

const NODE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOSPC|EIO)$/;

/**
 * The kind of storage failure behind an error (TypeORM wraps the driver's in `driverError`),
 * or undefined when it is not one: a rule refusal or a bad request is not a disk error.
 */
export function storageErrorKind(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      const table = code.startsWith('SQLITE_') ? SQLITE : POSTGRES;
      const found = table.find(([pattern]) => pattern.test(code));
      if (found) return found[1];
      if (NODE.test(code)) return code === 'ENOSPC' ? 'disk_full' : code === 'EIO' ? 'io' : 'connection';
    }
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}
