import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Kafka transactions (issue 26): per transactional id its producer id and epoch, its timeout,
 * its state (`empty`, `ongoing`, or how the last one ended: `committed`, `aborted`), when the
 * open one began and the principal that owns the id; the record batches produced into the open
 * transaction (the producer's own bytes, per partition and base sequence) and the offsets it
 * commits for consumer groups. EndTxn(commit) appends the batches to the log and commits the
 * offsets in one database transaction, then deletes them; an abort deletes them. The log
 * itself never holds an open or aborted transaction's records.
 */
export class CreateKafkaTransactions1765328400000 implements MigrationInterface {
  name = 'CreateKafkaTransactions1765328400000';

  async up(runner: QueryRunner): Promise<void> {
    const postgres = runner.connection.options.type === 'postgres';
    const big = postgres ? 'BIGINT' : 'INTEGER';
    const blob = postgres ? 'BYTEA' : 'BLOB';
    await runner.query(
      `CREATE TABLE shoal_kafka_txn (
         transactional_id VARCHAR(255) NOT NULL PRIMARY KEY,
         producer_id ${big} NOT NULL,
         producer_epoch INTEGER NOT NULL,
         timeout_ms INTEGER NOT NULL,
         state VARCHAR(16) NOT NULL,
         started_at ${big} NULL,
         principal VARCHAR(255) NULL)`,
    );
    await runner.query('CREATE UNIQUE INDEX shoal_kafka_txn_producer ON shoal_kafka_txn (producer_id)');
    await runner.query('CREATE INDEX shoal_kafka_txn_started ON shoal_kafka_txn (started_at)');
    await runner.query(
      `CREATE TABLE shoal_kafka_txn_batch (
         transactional_id VARCHAR(255) NOT NULL,
         topic VARCHAR(255) NOT NULL,
         partition_id INTEGER NOT NULL,
         base_sequence INTEGER NOT NULL,
         last_sequence INTEGER NOT NULL,
         records ${blob} NOT NULL,
         PRIMARY KEY (transactional_id, topic, partition_id, base_sequence))`,
    );
    await runner.query(
      `CREATE TABLE shoal_kafka_txn_offset (
         transactional_id VARCHAR(255) NOT NULL,
         group_name VARCHAR(255) NOT NULL,
         topic VARCHAR(255) NOT NULL,
         partition_id INTEGER NOT NULL,
         committed_offset ${big} NOT NULL,
         committed_metadata TEXT NULL,
         PRIMARY KEY (transactional_id, group_name, topic, partition_id))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE shoal_kafka_txn_offset');
    await runner.query('DROP TABLE shoal_kafka_txn_batch');
    await runner.query('DROP TABLE shoal_kafka_txn');
  }
}
