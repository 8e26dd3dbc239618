import type { MigrationInterface, QueryRunner } from 'typeorm';

function statements(postgres: boolean): string[] {
  const id = postgres ? 'INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const big = postgres ? 'BIGINT' : 'INTEGER';
  const withoutRowid = postgres ? '' : ' WITHOUT ROWID';
  return [
    `CREATE TABLE shoal_share_group (
       id ${id},
       name TEXT NOT NULL UNIQUE,
       record_lock_duration_ms INTEGER NOT NULL,
       delivery_count_limit INTEGER NOT NULL,
       max_in_flight INTEGER NOT NULL,
       auto_offset_reset TEXT NOT NULL,
       dead_letter_topic TEXT NULL,
       created_at ${big} NOT NULL)`,
    `CREATE TABLE shoal_share_member (
       group_id INTEGER NOT NULL REFERENCES shoal_share_group(id) ON DELETE CASCADE,
       member_id TEXT NOT NULL,
       topics TEXT NOT NULL,
       session_timeout_ms INTEGER NOT NULL,
       expires_at ${big} NOT NULL,
       PRIMARY KEY (group_id, member_id))${withoutRowid}`,
    `CREATE TABLE shoal_share_partition (
       group_id INTEGER NOT NULL REFERENCES shoal_share_group(id) ON DELETE CASCADE,
       topic_id INTEGER NOT NULL,
       partition_id INTEGER NOT NULL,
       start_offset ${big} NOT NULL,
       end_offset ${big} NOT NULL,
       PRIMARY KEY (group_id, topic_id, partition_id))${withoutRowid}`,
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
       PRIMARY KEY (group_id, topic_id, partition_id, record_offset))${withoutRowid}`,
  ];
}

/**
 * Share groups. A share-partition (group, topic, partition) keeps its window
 * [start_offset, end_offset); every offset in the window that has been handed out has a row
 * with its state (Kafka's ids), delivery count, holder, lock expiry and, for a delayed
 * release, when it becomes available. Rows below the start are final and are deleted.
 */
export class CreateShareGroups1763942400000 implements MigrationInterface {
  name = 'CreateShareGroups1763942400000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of statements(runner.connection.options.type === 'postgres')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['shoal_share_record', 'shoal_share_partition', 'shoal_share_member', 'shoal_share_group'])
      await runner.query(`DROP TABLE ${table}`);
  }
}
