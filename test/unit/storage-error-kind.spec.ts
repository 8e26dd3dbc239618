import { storageErrorKind } from '../../src/storage/storage-error-kind.js';

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
});
