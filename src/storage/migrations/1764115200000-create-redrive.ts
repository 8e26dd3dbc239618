import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead-letter redrive marks: one row per dead-letter record (topic, partition, offset) that
 * has been copied back to its source topic, so that redriving it again copies nothing.
 * Topic ids are never reused, so rows of a deleted topic are inert.
 */
export class CreateRedrive1764115200000 implements MigrationInterface {
  name = 'CreateRedrive1764115200000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    await runner.query(`CREATE TABLE shoal_redrive (
       topic_id INTEGER NOT NULL,
       partition_id INTEGER NOT NULL,
       record_offset ${postgres ? 'BIGINT' : 'INTEGER'} NOT NULL,
       redriven_at ${postgres ? 'BIGINT' : 'INTEGER'} NOT NULL,
       PRIMARY KEY (topic_id, partition_id, record_offset))${postgres ? '' : ' WITHOUT ROWID'}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE shoal_redrive');
  }
}
