import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite and PostgreSQL differ only in the identity column and the integer width. */
function statements(postgres: boolean): string[] {
  const id = postgres ? 'INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const big = postgres ? 'BIGINT' : 'INTEGER';
  const withoutRowid = postgres ? '' : ' WITHOUT ROWID';
  return [
    `CREATE TABLE shoal_consumer_group (
       id ${id},
       name TEXT NOT NULL UNIQUE,
       generation INTEGER NOT NULL DEFAULT 0,
       subscription_size INTEGER NOT NULL DEFAULT 0,
       created_at ${big} NOT NULL)`,
    `CREATE TABLE shoal_consumer_member (
       group_id INTEGER NOT NULL REFERENCES shoal_consumer_group(id) ON DELETE CASCADE,
       member_id TEXT NOT NULL,
       topics TEXT NOT NULL,
       session_timeout_ms INTEGER NOT NULL,
       auto_offset_reset TEXT NOT NULL,
       answered_generation INTEGER NOT NULL,
       expires_at ${big} NOT NULL,
       PRIMARY KEY (group_id, member_id))${withoutRowid}`,
    `CREATE INDEX shoal_consumer_member_expiry ON shoal_consumer_member (expires_at)`,
    `CREATE TABLE shoal_consumer_partition (
       group_id INTEGER NOT NULL REFERENCES shoal_consumer_group(id) ON DELETE CASCADE,
       topic_id INTEGER NOT NULL,
       partition_id INTEGER NOT NULL,
       target_member TEXT NULL,
       owner_member TEXT NULL,
       position ${big} NULL,
       PRIMARY KEY (group_id, topic_id, partition_id))${withoutRowid}`,
    `CREATE TABLE shoal_consumer_offset (
       group_id INTEGER NOT NULL REFERENCES shoal_consumer_group(id) ON DELETE CASCADE,
       topic_id INTEGER NOT NULL,
       partition_id INTEGER NOT NULL,
       committed_offset ${big} NOT NULL,
       PRIMARY KEY (group_id, topic_id, partition_id))${withoutRowid}`,
  ];
}

/**
 * Classic consumer groups. Each subscribed partition has a row with its `target_member` (what
 * the assignor wants) and its `owner_member` (who holds it in its latest answer): a partition
 * changes hands only through a null owner — revoke before assign — and `position` is the
 * owner's next offset, so any broker process can serve the next fetch.
 */
export class CreateConsumerGroups1763856000000 implements MigrationInterface {
  name = 'CreateConsumerGroups1763856000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of statements(runner.connection.options.type === 'postgres')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'shoal_consumer_offset',
      'shoal_consumer_partition',
      'shoal_consumer_member',
      'shoal_consumer_group',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
