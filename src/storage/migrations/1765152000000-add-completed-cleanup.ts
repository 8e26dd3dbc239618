import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention that respects work (issue 27). A topic's `retention_respects_share_groups` (null:
 * the default, on; 0 off; 1 on) keeps time/size retention from deleting past the earliest
 * unfinished record of any share group reading the partition; `completed_max_age_ms` and
 * `completed_max_count` delete records every group reading the partition has finished. The
 * sweep finds a partition's readers by `(topic_id, partition_id)`: the two indexes let it seek.
 */
export class AddCompletedCleanup1765152000000 implements MigrationInterface {
  name = 'AddCompletedCleanup1765152000000';

  async up(runner: QueryRunner): Promise<void> {
    const big = runner.connection.options.type === 'postgres' ? 'BIGINT' : 'INTEGER';
    await runner.query('ALTER TABLE shoal_topic ADD COLUMN retention_respects_share_groups SMALLINT NULL');
    await runner.query(`ALTER TABLE shoal_topic ADD COLUMN completed_max_age_ms ${big} NULL`);
    await runner.query(`ALTER TABLE shoal_topic ADD COLUMN completed_max_count ${big} NULL`);
    await runner.query('CREATE INDEX shoal_share_partition_topic ON shoal_share_partition (topic_id, partition_id)');
    await runner.query('CREATE INDEX shoal_consumer_offset_topic ON shoal_consumer_offset (topic_id, partition_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX shoal_consumer_offset_topic');
    await runner.query('DROP INDEX shoal_share_partition_topic');
    await runner.query('ALTER TABLE shoal_topic DROP COLUMN completed_max_count');
    await runner.query('ALTER TABLE shoal_topic DROP COLUMN completed_max_age_ms');
    await runner.query('ALTER TABLE shoal_topic DROP COLUMN retention_respects_share_groups');
  }
}
