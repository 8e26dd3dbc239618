import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A committed offset's metadata string (Kafka's OffsetCommit `committed_metadata`, the HTTP
 * commit's `metadata`): kept with the offset and returned by OffsetFetch and describe. NULL
 * for offsets committed before this migration and for commits without one.
 */
export class AddOffsetMetadata1765065600000 implements MigrationInterface {
  name = 'AddOffsetMetadata1765065600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE shoal_consumer_offset ADD COLUMN committed_metadata TEXT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE shoal_consumer_offset DROP COLUMN committed_metadata');
  }
}
