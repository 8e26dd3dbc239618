import type { MigrationInterface, QueryRunner } from 'typeorm';

const sqlite = [
  `CREATE TABLE shoal_topic (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     partition_count INTEGER NOT NULL,
     retention_ms INTEGER NULL,
     retention_bytes INTEGER NULL,
     created_at INTEGER NOT NULL)`,
  `CREATE TABLE shoal_partition (
     topic_id INTEGER NOT NULL REFERENCES shoal_topic(id) ON DELETE CASCADE,
     partition_id INTEGER NOT NULL,
     start_offset INTEGER NOT NULL DEFAULT 0,
     end_offset INTEGER NOT NULL DEFAULT 0,
     max_timestamp INTEGER NOT NULL DEFAULT 0,
     byte_size INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (topic_id, partition_id)) WITHOUT ROWID`,
  `CREATE TABLE shoal_record (
     topic_id INTEGER NOT NULL,
     partition_id INTEGER NOT NULL,
     record_offset INTEGER NOT NULL,
     timestamp INTEGER NOT NULL,
     max_timestamp INTEGER NOT NULL,
     record_key TEXT NULL,
     value_json TEXT NULL,
     value_bytes BLOB NULL,
     headers TEXT NULL,
     size INTEGER NOT NULL,
     PRIMARY KEY (topic_id, partition_id, record_offset)) WITHOUT ROWID`,
];

const postgres = [
  `CREATE TABLE shoal_topic (
     id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     partition_count INTEGER NOT NULL,
     retention_ms BIGINT NULL,
     retention_bytes BIGINT NULL,
     created_at BIGINT NOT NULL)`,
  `CREATE TABLE shoal_partition (
     topic_id INTEGER NOT NULL REFERENCES shoal_topic(id) ON DELETE CASCADE,
     partition_id INTEGER NOT NULL,
     start_offset BIGINT NOT NULL DEFAULT 0,
     end_offset BIGINT NOT NULL DEFAULT 0,
     max_timestamp BIGINT NOT NULL DEFAULT 0,
     byte_size BIGINT NOT NULL DEFAULT 0,
     PRIMARY KEY (topic_id, partition_id))`,
  `CREATE TABLE shoal_record (
     topic_id INTEGER NOT NULL,
     partition_id INTEGER NOT NULL,
     record_offset BIGINT NOT NULL,
     timestamp BIGINT NOT NULL,
     max_timestamp BIGINT NOT NULL,
     record_key TEXT NULL,
     value_json TEXT NULL,
     value_bytes BYTEA NULL,
     headers TEXT NULL,
     size INTEGER NOT NULL,
     PRIMARY KEY (topic_id, partition_id, record_offset))`,
];

/**
 * The log: topics, their partitions (offset window, running max timestamp, stored bytes)
 * and records keyed by (topic id, partition, offset). Records refer to a topic by id, so a
 * topic deleted and created again never sees the old records. A JSON value is kept as its
 * text, raw bytes as a blob: exactly one of the two is set. `max_timestamp` is the
 * running maximum of timestamps up to each record: monotonic in the offset, so "first offset
 * at or after a time" and time retention are a binary search over the primary key.
 */
export class CreateLog1763769600000 implements MigrationInterface {
  name = 'CreateLog1763769600000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = runner.connection.options.type === 'postgres' ? postgres : sqlite;
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE shoal_record');
    await runner.query('DROP TABLE shoal_partition');
    await runner.query('DROP TABLE shoal_topic');
  }
}
