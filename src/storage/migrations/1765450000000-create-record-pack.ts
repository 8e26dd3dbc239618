import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Packed appends (SQLite): a produce's records for one partition, when there are many of them,
 * kept as one row until a reader or the background filer "files" them into `shoal_record`
 * (`record-packs.store.ts`). `records` is the pack's encoding (`record-pack-codec.ts`) of the
 * offsets `base_offset`..`last_offset`. PostgreSQL gets the table too, empty: its produce never packs.
 */
export class CreateRecordPack1765450000000 implements MigrationInterface {
  name = 'CreateRecordPack1765450000000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    await runner.query(
      `CREATE TABLE shoal_record_pack (
         topic_id INTEGER NOT NULL,
         partition_id INTEGER NOT NULL,
         base_offset ${postgres ? 'BIGINT' : 'INTEGER'} NOT NULL,
         last_offset ${postgres ? 'BIGINT' : 'INTEGER'} NOT NULL,
         records ${postgres ? 'BYTEA' : 'BLOB'} NOT NULL,
         PRIMARY KEY (topic_id, partition_id, base_offset))${postgres ? '' : ' WITHOUT ROWID'}`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE shoal_record_pack');
  }
}
