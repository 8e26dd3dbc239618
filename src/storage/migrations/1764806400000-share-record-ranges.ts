import type { MigrationInterface, QueryRunner } from 'typeorm';

const ATTRIBUTES = 'state, delivery_count, member_id, lock_expires_at, available_at';

/**
 * In-flight share state as ranges, as Kafka's share-partition keeps its batches: one row per
 * run of consecutive offsets with the same state, delivery count, holder, lock expiry and
 * availability, [first_offset, last_offset] both included, never overlapping. The per-record
 * rows of `shoal_share_record` are moved over (consecutive offsets with one outcome become one
 * range) and the old table is dropped.
 */
export class ShareRecordRanges1764806400000 implements MigrationInterface {
  name = 'ShareRecordRanges1764806400000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    const big = postgres ? 'BIGINT' : 'INTEGER';
    await runner.query(
      `CREATE TABLE shoal_share_range (
         group_id INTEGER NOT NULL,
         topic_id INTEGER NOT NULL,
         partition_id INTEGER NOT NULL,
         first_offset ${big} NOT NULL,
         last_offset ${big} NOT NULL,
         state SMALLINT NOT NULL,
         delivery_count SMALLINT NOT NULL,
         member_id TEXT NULL,
         lock_expires_at ${big} NULL,
         available_at ${big} NULL,
         PRIMARY KEY (group_id, topic_id, partition_id, first_offset))${postgres ? '' : ' WITHOUT ROWID'}`,
    );
    // Gaps and islands: within one outcome, consecutive offsets share offset − row number.
    await runner.query(
      `INSERT INTO shoal_share_range (group_id, topic_id, partition_id, first_offset, last_offset, ${ATTRIBUTES})
       SELECT group_id, topic_id, partition_id, MIN(record_offset), MAX(record_offset), ${ATTRIBUTES}
       FROM (SELECT r.*, record_offset - ROW_NUMBER() OVER (
               PARTITION BY group_id, topic_id, partition_id, ${ATTRIBUTES} ORDER BY record_offset) AS island
             FROM shoal_share_record r) runs
       GROUP BY group_id, topic_id, partition_id, ${ATTRIBUTES}, island`,
    );
    await runner.query('DROP TABLE shoal_share_record');
  }

  async down(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    const big = postgres ? 'BIGINT' : 'INTEGER';
    await runner.query(
      `CREATE TABLE shoal_share_record (
         group_id INTEGER NOT NULL,
         topic_id INTEGER NOT NULL,
         partition_id INTEGER NOT NULL,
         record_offset ${big} NOT NULL,
         state SMALLINT NOT NULL,
         delivery_count SMALLINT NOT NULL,
         member_id TEXT NULL,
         lock_expires_at ${big} NULL,
         available_at ${big} NULL,
         PRIMARY KEY (group_id, topic_id, partition_id, record_offset))${postgres ? '' : ' WITHOUT ROWID'}`,
    );
    await runner.query(
      `WITH RECURSIVE expanded AS (
         SELECT group_id, topic_id, partition_id, first_offset AS record_offset, last_offset, ${ATTRIBUTES} FROM shoal_share_range
         UNION ALL
         SELECT group_id, topic_id, partition_id, record_offset + 1, last_offset, ${ATTRIBUTES} FROM expanded WHERE record_offset < last_offset)
       INSERT INTO shoal_share_record (group_id, topic_id, partition_id, record_offset, ${ATTRIBUTES})
       SELECT group_id, topic_id, partition_id, record_offset, ${ATTRIBUTES} FROM expanded`,
    );
    await runner.query('DROP TABLE shoal_share_range');
  }
}
