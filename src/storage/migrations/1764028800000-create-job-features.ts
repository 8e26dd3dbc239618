import type { MigrationInterface, QueryRunner } from 'typeorm';

function statements(postgres: boolean): string[] {
  const big = postgres ? 'BIGINT' : 'INTEGER';
  const bytes = postgres ? 'BYTEA' : 'BLOB';
  const real = postgres ? 'DOUBLE PRECISION' : 'REAL';
  const withoutRowid = postgres ? '' : ' WITHOUT ROWID';
  return [
    `ALTER TABLE shoal_topic ADD COLUMN idempotency_window_ms ${big} NULL`,
    `CREATE TABLE shoal_scheduled_record (
       id TEXT NOT NULL PRIMARY KEY,
       topic_id INTEGER NOT NULL REFERENCES shoal_topic(id) ON DELETE CASCADE,
       partition_id INTEGER NOT NULL,
       deliver_at ${big} NOT NULL,
       timestamp ${big} NULL,
       record_key TEXT NULL,
       value_json TEXT NULL,
       value_bytes ${bytes} NULL,
       headers TEXT NULL,
       size INTEGER NOT NULL,
       idempotency_key TEXT NULL,
       created_at ${big} NOT NULL)`,
    'CREATE INDEX shoal_scheduled_record_due ON shoal_scheduled_record (deliver_at)',
    'CREATE INDEX shoal_scheduled_record_topic ON shoal_scheduled_record (topic_id, deliver_at)',
    `CREATE TABLE shoal_idempotency_key (
       topic_id INTEGER NOT NULL REFERENCES shoal_topic(id) ON DELETE CASCADE,
       idempotency_key TEXT NOT NULL,
       partition_id INTEGER NULL,
       record_offset ${big} NULL,
       scheduled_id TEXT NULL,
       deliver_at ${big} NULL,
       created_at ${big} NOT NULL,
       PRIMARY KEY (topic_id, idempotency_key))${withoutRowid}`,
    'CREATE INDEX shoal_idempotency_key_age ON shoal_idempotency_key (created_at)',
    `CREATE TABLE shoal_schedule (
       name TEXT NOT NULL PRIMARY KEY,
       topic_id INTEGER NOT NULL REFERENCES shoal_topic(id) ON DELETE CASCADE,
       cron TEXT NULL,
       every_ms ${big} NULL,
       timezone TEXT NULL,
       record TEXT NOT NULL,
       paused SMALLINT NOT NULL,
       next_run_at ${big} NOT NULL,
       last_run_at ${big} NULL,
       created_at ${big} NOT NULL)`,
    'CREATE INDEX shoal_schedule_due ON shoal_schedule (next_run_at)',
    `CREATE TABLE shoal_share_group_flow (
       group_id INTEGER NOT NULL PRIMARY KEY REFERENCES shoal_share_group(id) ON DELETE CASCADE,
       topic_priority TEXT NULL,
       lower_priority_share ${real} NOT NULL,
       max_records_per_second ${real} NULL,
       tokens ${real} NOT NULL,
       refilled_at ${big} NOT NULL)`,
  ];
}

/**
 * Job-queue features (issue 16): records scheduled for later (appended when due), idempotency
 * keys of produced records (within a window, per topic when its config says), repeating schedules, and a share group's flow
 * settings (topic priority, rate limit with its token bucket).
 */
export class CreateJobFeatures1764028800000 implements MigrationInterface {
  name = 'CreateJobFeatures1764028800000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of statements(runner.connection.options.type === 'postgres')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['shoal_share_group_flow', 'shoal_schedule', 'shoal_idempotency_key', 'shoal_scheduled_record'])
      await runner.query(`DROP TABLE ${table}`);
    await runner.query('ALTER TABLE shoal_topic DROP COLUMN idempotency_window_ms');
  }
}
