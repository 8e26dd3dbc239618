import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Topics that delete themselves when unused (RabbitMQ's queue `expires`): `delete_after_idle_ms`
 * is the topic's setting (null: never), `last_used_at` the last produce to or read from it that a
 * broker wrote down (null: never used since the column came; the creation time counts then).
 */
export class AddTopicIdleExpiry1765281600000 implements MigrationInterface {
  name = 'AddTopicIdleExpiry1765281600000';

  async up(runner: QueryRunner): Promise<void> {
    const big = runner.connection.options.type === 'postgres' ? 'BIGINT' : 'INTEGER';
    await runner.query(`ALTER TABLE shoal_topic ADD COLUMN delete_after_idle_ms ${big} NULL`);
    await runner.query(`ALTER TABLE shoal_topic ADD COLUMN last_used_at ${big} NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE shoal_topic DROP COLUMN last_used_at');
    await runner.query('ALTER TABLE shoal_topic DROP COLUMN delete_after_idle_ms');
  }
}
