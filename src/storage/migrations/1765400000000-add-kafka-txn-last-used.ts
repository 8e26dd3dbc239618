import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Kafka's `transactional.id.expiration.ms`: `updated_at` is when a transactional id's state last
 * changed (InitProducerId, a transaction begun or ended); an id without an open transaction
 * untouched for that long is forgotten. Rows from before this column count from the migration.
 */
export class AddKafkaTxnLastUsed1765400000000 implements MigrationInterface {
  name = 'AddKafkaTxnLastUsed1765400000000';

  async up(runner: QueryRunner): Promise<void> {
    const big = runner.connection.options.type === 'postgres' ? 'BIGINT' : 'INTEGER';
    await runner.query(`ALTER TABLE shoal_kafka_txn ADD COLUMN updated_at ${big} NULL`);
    await runner.query(`UPDATE shoal_kafka_txn SET updated_at = ${Date.now()}`);
    await runner.query('CREATE INDEX shoal_kafka_txn_updated ON shoal_kafka_txn (updated_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX shoal_kafka_txn_updated');
    await runner.query('ALTER TABLE shoal_kafka_txn DROP COLUMN updated_at');
  }
}
