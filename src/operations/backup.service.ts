import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { UnsupportedStorageError } from '../platform/errors/index.js';
import { copySqliteDatabase } from '../storage/sqlite-backup.js';

/** A finished online copy, in a file of its own until the caller has read it. */
export interface BackupFile {
  path: string;
  /** Removes the file (the caller's to call once done, also on failure). */
  discard(): Promise<void>;
}

/**
 * Online backups of the embedded SQLite database: a consistent copy taken while producers and
 * consumers go on. On PostgreSQL the database's own tools (pg_dump, base backups and WAL
 * archiving) do this job; see docs/operations.md.
 */
@Injectable()
export class BackupService {
  constructor(@Inject(SHOAL_CONFIG) private readonly config: ShoalConfig) {}

  /** Writes the copy beside the database file (same disk, so no cross-device copy). */
  async take(): Promise<BackupFile> {
    const { kind, path } = this.config.storage;
    if (kind !== 'sqlite')
      throw new UnsupportedStorageError(
        'online backups over HTTP are for SQLite; back PostgreSQL up with pg_dump or a base backup with WAL archiving',
      );
    if (path === ':memory:') throw new UnsupportedStorageError('an in-memory database has no file to back up');
    const target = join(dirname(path), `.${basename(path)}.backup-${randomUUID()}`);
    const discard = () => rm(target, { force: true });
    try {
      await copySqliteDatabase(path, target);
    } catch (error) {
      await discard();
      throw error;
    }
    return { path: target, discard };
  }
}
