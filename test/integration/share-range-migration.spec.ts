import { DataSource } from 'typeorm';
import { migrations } from '../../src/storage/data-source.js';
import { ShareRecordRanges1764806400000 } from '../../src/storage/migrations/1764806400000-share-record-ranges.js';
import { createTestStorage, STORAGE_KINDS, type TestStorage } from '../support/storage.js';

/** The schema with `list` migrated, on the test database. */
async function migrated(storage: TestStorage, list: (typeof migrations)[number][]): Promise<DataSource> {
  const options = { migrations: list, migrationsTableName: 'shoal_migration' };
  const { storage: config } = storage;
  const dataSource =
    config.kind === 'postgres'
      ? new DataSource({ type: 'postgres', url: config.url, ...options })
      : new DataSource({ type: 'better-sqlite3', database: config.path, ...options });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

// (group, topic, partition, offset, state, delivery count, member, lock expiry, available at)
const OLD_ROWS: unknown[][] = [
  [1, 1, 0, 10, 1, 1, 'm1', 5000, null],
  [1, 1, 0, 11, 1, 1, 'm1', 5000, null],
  [1, 1, 0, 12, 1, 1, 'm1', 5000, null],
  [1, 1, 0, 13, 2, 1, null, null, null],
  [1, 1, 0, 14, 1, 1, 'm1', 5000, null],
  [1, 1, 0, 15, 0, 2, null, null, 9000],
  [1, 1, 0, 16, 0, 2, null, null, 9000],
  [1, 1, 0, 18, 0, 2, null, null, 9000],
  [1, 1, 1, 10, 1, 1, 'm1', 5000, null],
  [2, 1, 0, 10, 4, 3, null, null, null],
];

describe.each(STORAGE_KINDS)(`${ShareRecordRanges1764806400000.name} on %s`, (kind) => {
  let storage: TestStorage;
  beforeEach(async () => {
    storage = await createTestStorage(kind);
  });
  afterEach(() => storage.dispose());

  it('moves per-record rows into ranges of consecutive offsets with one outcome, and back on revert', async () => {
    // The schema just before the move, then just after it (later migrations build on ranges).
    const at = migrations.indexOf(ShareRecordRanges1764806400000);
    const before = await migrated(storage, migrations.slice(0, at));
    for (const row of OLD_ROWS)
      await before.query(
        `INSERT INTO shoal_share_record (group_id, topic_id, partition_id, record_offset, state, delivery_count, member_id, lock_expires_at, available_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`.replace(/\$\d/g, (p) => (kind === 'sqlite' ? '?' : p)),
        row,
      );
    await before.destroy();

    const after = await migrated(storage, migrations.slice(0, at + 1));
    const ranges = (await after.query(
      `SELECT group_id, topic_id, partition_id, first_offset, last_offset, state, delivery_count, member_id, lock_expires_at, available_at
       FROM shoal_share_range ORDER BY group_id, topic_id, partition_id, first_offset`,
    )) as Record<string, unknown>[];
    expect(ranges.map((r) => Object.values(r).map((v) => (v === null ? null : String(v))))).toEqual(
      [
        [1, 1, 0, 10, 12, 1, 1, 'm1', 5000, null],
        [1, 1, 0, 13, 13, 2, 1, null, null, null],
        [1, 1, 0, 14, 14, 1, 1, 'm1', 5000, null],
        [1, 1, 0, 15, 16, 0, 2, null, null, 9000],
        [1, 1, 0, 18, 18, 0, 2, null, null, 9000],
        [1, 1, 1, 10, 10, 1, 1, 'm1', 5000, null],
        [2, 1, 0, 10, 10, 4, 3, null, null, null],
      ].map((r) => r.map((v) => (v === null ? null : String(v)))),
    );

    await after.undoLastMigration({ transaction: 'each' });
    const records = (await after.query(
      `SELECT group_id, topic_id, partition_id, record_offset, state, delivery_count, member_id, lock_expires_at, available_at
       FROM shoal_share_record ORDER BY group_id, topic_id, partition_id, record_offset`,
    )) as Record<string, unknown>[];
    expect(records.map((r) => Object.values(r).map((v) => (v === null ? null : String(v))))).toEqual(
      OLD_ROWS.map((r) => r.map((v) => (v === null ? null : String(v)))),
    );
    await after.destroy();
  });
});
