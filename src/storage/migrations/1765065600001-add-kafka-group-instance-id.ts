import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A Kafka member's `group.instance.id` (static membership, JoinGroup v5+): a member that
 * rejoins with the same instance id takes the place of the one before it. NULL: a dynamic member.
 */
export class AddKafkaGroupInstanceId1765065600001 implements MigrationInterface {
  name = 'AddKafkaGroupInstanceId1765065600001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE shoal_kafka_member ADD COLUMN group_instance_id TEXT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE shoal_kafka_member DROP COLUMN group_instance_id');
  }
}
