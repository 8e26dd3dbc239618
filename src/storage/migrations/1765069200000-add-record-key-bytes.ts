import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['shoal_record', 'shoal_scheduled_record'];

/**
 * One byte-faithful record model (issue 23): a key whose bytes are not UTF-8 is kept in
 * `key_bytes` (a UTF-8 key stays text in `record_key`, so the common case reads and writes as
 * before); a value with both `value_json` and `value_bytes` null is a tombstone; `headers` is
 * a JSON object of strings as before, or a JSON array of `{name, value | valueBase64}` for
 * repeated, null or binary header values. Every row written before is already in the new form
 * (text keys, object headers, JSON or byte values), so the data is kept as it is: adding the
 * nullable column rewrites no row on either database.
 */
export class AddRecordKeyBytes1765069200000 implements MigrationInterface {
  name = 'AddRecordKeyBytes1765069200000';

  async up(runner: QueryRunner): Promise<void> {
    const bytes = runner.connection.options.type === 'postgres' ? 'BYTEA' : 'BLOB';
    for (const table of TABLES) await runner.query(`ALTER TABLE ${table} ADD COLUMN key_bytes ${bytes} NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of TABLES) await runner.query(`ALTER TABLE ${table} DROP COLUMN key_bytes`);
  }
}
