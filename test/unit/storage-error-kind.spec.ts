import { isStorageUnavailable, storageErrorKind } from '../../src/storage/storage-error-kind.js';
import { StorageUnavailableError } from '../../src/platform/errors/index.js';

describe(storageErrorKind.name, () => {
  it('names SQLite failures by their result code, extended codes included', () => {
    expect(storageErrorKind({ code: 'SQLITE_FULL' })).toBe('disk_full');
    expect(storageErrorKind({ code: 'SQLITE_IOERR_FSYNC' })).toBe('io');
    expect(storageErrorKind({ code: 'SQLITE_NOTADB' })).toBe('corrupt');
    expect(storageErrorKind({ code: 'SQLITE_READONLY_DBMOVED' })).toBe('read_only');
  });

  it('names PostgreSQL failures by SQLSTATE, through TypeORM’s driverError', () => {
    expect(storageErrorKind({ name: 'QueryFailedError', driverError: { code: '53100' } })).toBe('disk_full');
    expect(storageErrorKind({ driverError: { code: '58030' } })).toBe('io');
    expect(storageErrorKind({ code: '08006' })).toBe('connection');
    expect(storageErrorKind({ cause: { code: 'ECONNREFUSED' } })).toBe('connection');
  });

  it('ignores what is not a storage failure', () => {
    expect(storageErrorKind(new Error('plain'))).toBeUndefined();
    expect(storageErrorKind({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })).toBeUndefined();
    expect(storageErrorKind({ code: '23505' })).toBeUndefined(); // unique violation: a rule, not the disk
    expect(storageErrorKind({ code: 'UNKNOWN_TOPIC' })).toBeUndefined();
    expect(storageErrorKind(undefined)).toBeUndefined();
  });

  it('takes node-postgres’s code-less connection failures, a standby’s 25006 and its own 503 as the database unavailable', () => {
    expect(storageErrorKind(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(storageErrorKind({ driverError: new Error('timeout exceeded when trying to connect') })).toBe('connection');
    expect(storageErrorKind({ code: '57P01' })).toBe('connection'); // admin_shutdown: pg_ctl stop -m fast
    expect(isStorageUnavailable({ driverError: { code: '53300' } })).toBe(true); // too_many_connections
    expect(isStorageUnavailable({ driverError: { code: '25006' } })).toBe(true);
    expect(isStorageUnavailable(new StorageUnavailableError())).toBe(true);
    expect(isStorageUnavailable(new StorageUnavailableError(true, { code: 'ECONNRESET' }))).toBe(true);
    expect(isStorageUnavailable({ code: '53100' })).toBe(false);
    expect(isStorageUnavailable({ code: 'SQLITE_READONLY' })).toBe(false); // a read-only file stays so
    expect(isStorageUnavailable(new Error('Connection refused by policy'))).toBe(false);
  });
});
