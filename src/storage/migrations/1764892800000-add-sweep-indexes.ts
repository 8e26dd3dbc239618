import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes that let the periodic sweeps seek instead of scan (EXPLAIN QUERY PLAN showed scans):
 * the idempotency-key expiry forgets one topic's keys older than its window (`topic_id`, then
 * `created_at`), a chunk at a time; the session sweep finds expired share-group members by
 * `expires_at` (consumer groups had that index, share groups scanned every member each second);
 * scheduled delivery takes the soonest due rows in their full order without sorting every due row.
 */
export class AddSweepIndexes1764892800000 implements MigrationInterface {
  name = 'AddSweepIndexes1764892800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX shoal_idempotency_key_topic_age ON shoal_idempotency_key (topic_id, created_at)');
    await runner.query('CREATE INDEX shoal_share_member_expiry ON shoal_share_member (expires_at, group_id)');
    await runner.query(
      'CREATE INDEX shoal_scheduled_record_due_order ON shoal_scheduled_record (deliver_at, created_at, id)',
    );
    await runner.query('DROP INDEX shoal_scheduled_record_due');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX shoal_scheduled_record_due ON shoal_scheduled_record (deliver_at)');
    await runner.query('DROP INDEX shoal_scheduled_record_due_order');
    await runner.query('DROP INDEX shoal_share_member_expiry');
    await runner.query('DROP INDEX shoal_idempotency_key_topic_age');
  }
}
