import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Share-group members that joined through Kafka's ShareGroupHeartbeat (KIP-932): the member id
 * the client chose, the Shoal member it is, its member epoch (and the one before, which Kafka
 * still accepts) with the assignment that epoch stands for, the principal that joined it (with API
 * keys on, only it may act as the member), and its share session (the session epoch expected next
 * and the partitions it fetches from), so that any broker can answer it.
 */
export class CreateKafkaShareMembers1764720000000 implements MigrationInterface {
  name = 'CreateKafkaShareMembers1764720000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE shoal_kafka_share_member (
        group_name VARCHAR(255) NOT NULL,
        kafka_member_id VARCHAR(255) NOT NULL,
        member_id VARCHAR(255) NOT NULL,
        member_epoch INTEGER NOT NULL,
        previous_epoch INTEGER NOT NULL,
        topics TEXT NOT NULL,
        assignment TEXT NOT NULL,
        client_id VARCHAR(255),
        principal VARCHAR(255),
        session_epoch INTEGER,
        session_partitions TEXT,
        PRIMARY KEY (group_name, kafka_member_id)
      )`,
    );
    await runner.query('CREATE INDEX shoal_kafka_share_member_by_member ON shoal_kafka_share_member (member_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE shoal_kafka_share_member');
  }
}
