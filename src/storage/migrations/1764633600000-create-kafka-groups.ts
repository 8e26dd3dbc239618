import type { MigrationInterface, QueryRunner } from 'typeorm';

function statements(postgres: boolean): string[] {
  const big = postgres ? 'BIGINT' : 'INTEGER';
  const blob = postgres ? 'BYTEA' : 'BLOB';
  const withoutRowid = postgres ? '' : ' WITHOUT ROWID';
  return [
    `CREATE TABLE shoal_kafka_group (
       group_id INTEGER NOT NULL PRIMARY KEY REFERENCES shoal_consumer_group(id) ON DELETE CASCADE,
       state TEXT NOT NULL,
       protocol_type TEXT NULL,
       protocol_name TEXT NULL,
       leader_id TEXT NULL,
       rebalance_deadline ${big} NULL,
       join_not_before ${big} NULL)`,
    `CREATE TABLE shoal_kafka_member (
       group_id INTEGER NOT NULL REFERENCES shoal_consumer_group(id) ON DELETE CASCADE,
       member_id TEXT NOT NULL,
       client_id TEXT NOT NULL,
       client_host TEXT NOT NULL,
       session_timeout_ms INTEGER NOT NULL,
       rebalance_timeout_ms INTEGER NOT NULL,
       protocol_type TEXT NOT NULL,
       protocols TEXT NOT NULL,
       pending INTEGER NOT NULL,
       awaiting_join INTEGER NOT NULL,
       generation INTEGER NOT NULL,
       assignment ${blob} NULL,
       expires_at ${big} NOT NULL,
       PRIMARY KEY (group_id, member_id))${withoutRowid}`,
    `CREATE INDEX shoal_kafka_member_expiry ON shoal_kafka_member (expires_at)`,
  ];
}

/**
 * Consumer groups joined through Kafka's classic protocol (JoinGroup/SyncGroup). The group
 * itself, its generation and its committed offsets stay in the consumer-group tables, so HTTP
 * describe, the lists and `/metrics` see them; a `shoal_kafka_group` row marks the group as
 * Kafka's and holds the rebalance state; `shoal_kafka_member` holds each member's protocols
 * (JSON, metadata base64), whether it awaits the end of a join round, the generation it
 * joined and the assignment bytes its leader gave it. `pending` members were handed an id by
 * MEMBER_ID_REQUIRED and have not joined with it yet.
 */
export class CreateKafkaGroups1764633600000 implements MigrationInterface {
  name = 'CreateKafkaGroups1764633600000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of statements(runner.connection.options.type === 'postgres')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['shoal_kafka_member', 'shoal_kafka_group']) await runner.query(`DROP TABLE ${table}`);
  }
}
