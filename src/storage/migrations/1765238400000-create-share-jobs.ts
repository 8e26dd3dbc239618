import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The life of a job (issue 28): per record of a share group, what its handler said about it —
 * `progress` (JSON text, while it runs), `result` (JSON text, from its accept), the last
 * reject/release `reason` and, once finished, its `outcome` (`accepted` or `rejected`) — kept
 * until `expires_at` (set when it finishes, from the group's `result_retention_ms`; null while
 * it is in flight). The share-group sweep deletes rows that expired and in-flight rows the
 * share-partition's start has passed.
 */
export class CreateShareJobs1765238400000 implements MigrationInterface {
  name = 'CreateShareJobs1765238400000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    const big = postgres ? 'BIGINT' : 'INTEGER';
    await runner.query(`ALTER TABLE shoal_share_group ADD COLUMN result_retention_ms ${big} NOT NULL DEFAULT 0`);
    await runner.query(
      `CREATE TABLE shoal_share_job (
         group_id INTEGER NOT NULL,
         topic_id INTEGER NOT NULL,
         partition_id INTEGER NOT NULL,
         record_offset ${big} NOT NULL,
         progress TEXT NULL,
         result TEXT NULL,
         reason TEXT NULL,
         outcome TEXT NULL,
         expires_at ${big} NULL,
         PRIMARY KEY (group_id, topic_id, partition_id, record_offset))${postgres ? '' : ' WITHOUT ROWID'}`,
    );
    await runner.query('CREATE INDEX shoal_share_job_expiry ON shoal_share_job (expires_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE shoal_share_job');
    await runner.query('ALTER TABLE shoal_share_group DROP COLUMN result_retention_ms');
  }
}
