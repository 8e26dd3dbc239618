import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Topics deleted whose records are still being removed, in chunks, in the background. The
 * topic's row and partitions are gone in the delete's transaction (records refer to a topic by
 * id, so a topic created again under the name never sees them); this table says which ids
 * still have records to remove.
 */
export class CreateTopicPurge1764460800000 implements MigrationInterface {
  name = 'CreateTopicPurge1764460800000';

  async up(runner: QueryRunner): Promise<void> {
    const big = runner.connection.options.type === 'postgres' ? 'BIGINT' : 'INTEGER';
    await runner.query(
      `CREATE TABLE shoal_topic_purge (topic_id INTEGER NOT NULL PRIMARY KEY, deleted_at ${big} NOT NULL)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE shoal_topic_purge');
  }
}
