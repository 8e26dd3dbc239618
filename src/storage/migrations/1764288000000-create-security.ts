import type { MigrationInterface, QueryRunner } from 'typeorm';

function statements(postgres: boolean): string[] {
  const id = postgres ? 'INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const big = postgres ? 'BIGINT' : 'INTEGER';
  return [
    `CREATE TABLE shoal_api_key (
       key_id TEXT PRIMARY KEY,
       principal TEXT NOT NULL,
       secret_hash TEXT NOT NULL,
       description TEXT NULL,
       created_at ${big} NOT NULL,
       revoked_at ${big} NULL)`,
    `CREATE TABLE shoal_acl (
       id ${id},
       principal TEXT NOT NULL,
       resource_type TEXT NOT NULL,
       pattern_type TEXT NOT NULL,
       resource_name TEXT NOT NULL,
       operation TEXT NOT NULL,
       created_at ${big} NOT NULL)`,
    `CREATE INDEX shoal_acl_principal ON shoal_acl (principal)`,
    `CREATE TABLE shoal_member_owner (
       member_id TEXT PRIMARY KEY,
       principal TEXT NOT NULL,
       created_at ${big} NOT NULL)`,
  ];
}

/**
 * API keys (only a SHA-256 of the secret is kept), ACL allow rules, and which principal
 * joined each member (so another principal cannot act as it).
 */
export class CreateSecurity1764288000000 implements MigrationInterface {
  name = 'CreateSecurity1764288000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of statements(runner.connection.options.type === 'postgres')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['shoal_member_owner', 'shoal_acl', 'shoal_api_key']) await runner.query(`DROP TABLE ${table}`);
  }
}
