import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes that let the periodic sweeps seek instead of scan: the idempotency-key expiry forgets
 * one topic's keys older than its window (`topic_id`, then `created_at`), a chunk at a time.
 */
export class AddSweepIndexes1764892800000 implements MigrationInterface {
  name = 'AddSweepIndexes1764892800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX shoal_idempotency_key_topic_age ON shoal_idempotency_key (topic_id, created_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX shoal_idempotency_key_topic_age');
  }
}
