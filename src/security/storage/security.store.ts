import type { AclRule, Operation, PatternType, ResourceType } from '../domain/acl.js';
import type { Sql } from '../../storage/database.js';

export interface ApiKeyRow {
  keyId: string;
  principal: string;
  secretHash: string;
  description: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface StoredAcl extends AclRule {
  id: number;
  createdAt: number;
}

interface KeyRecord {
  key_id: string;
  principal: string;
  secret_hash: string;
  description: string | null;
  created_at: number;
  revoked_at: number | null;
}

interface AclRecord {
  id: number;
  principal: string;
  resource_type: string;
  pattern_type: string;
  resource_name: string;
  operation: string;
  created_at: number;
}

function toKey(r: KeyRecord): ApiKeyRow {
  return {
    keyId: r.key_id,
    principal: r.principal,
    secretHash: r.secret_hash,
    description: r.description,
    createdAt: Number(r.created_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

function toAcl(r: AclRecord): StoredAcl {
  return {
    id: Number(r.id),
    principal: r.principal,
    resourceType: r.resource_type as ResourceType,
    patternType: r.pattern_type as PatternType,
    resourceName: r.resource_name,
    operation: r.operation as Operation,
    createdAt: Number(r.created_at),
  };
}

const KEY_COLUMNS = 'key_id, principal, secret_hash, description, created_at, revoked_at';
const ACL_COLUMNS = 'id, principal, resource_type, pattern_type, resource_name, operation, created_at';

/** API keys, ACL rules and member owners. */
export const securityStore = {
  async insertKey(sql: Sql, key: ApiKeyRow): Promise<void> {
    await sql.execute(`INSERT INTO shoal_api_key (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL)`, [
      key.keyId,
      key.principal,
      key.secretHash,
      key.description,
      key.createdAt,
    ]);
  },

  async findKey(sql: Sql, keyId: string): Promise<ApiKeyRow | null> {
    const rows = await sql.rows<KeyRecord>(`SELECT ${KEY_COLUMNS} FROM shoal_api_key WHERE key_id = $1`, [keyId]);
    return rows.length === 0 ? null : toKey(rows[0]);
  },

  async listKeys(sql: Sql): Promise<ApiKeyRow[]> {
    const rows = await sql.rows<KeyRecord>(`SELECT ${KEY_COLUMNS} FROM shoal_api_key ORDER BY created_at, key_id`);
    return rows.map(toKey);
  },

  /** Answers whether a key that was not yet revoked is revoked now. */
  async revokeKey(sql: Sql, keyId: string, now: number): Promise<boolean> {
    const changed = await sql.execute(
      'UPDATE shoal_api_key SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL',
      [keyId, now],
    );
    return changed > 0;
  },

  /** Whether any key was ever created: from then on every request needs one. */
  async anyKey(sql: Sql): Promise<boolean> {
    const rows = await sql.rows<{ one: number }>('SELECT 1 AS one FROM shoal_api_key LIMIT 1');
    return rows.length > 0;
  },

  async insertAcl(sql: Sql, rule: AclRule, now: number): Promise<StoredAcl> {
    const rows = await sql.rows<AclRecord>(
      `INSERT INTO shoal_acl (principal, resource_type, pattern_type, resource_name, operation, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ACL_COLUMNS}`,
      [rule.principal, rule.resourceType, rule.patternType, rule.resourceName, rule.operation, now],
    );
    return toAcl(rows[0]);
  },

  async aclsOf(sql: Sql, principal: string): Promise<StoredAcl[]> {
    const rows = await sql.rows<AclRecord>(`SELECT ${ACL_COLUMNS} FROM shoal_acl WHERE principal = $1`, [principal]);
    return rows.map(toAcl);
  },

  async listAcls(sql: Sql): Promise<StoredAcl[]> {
    const rows = await sql.rows<AclRecord>(`SELECT ${ACL_COLUMNS} FROM shoal_acl ORDER BY id`);
    return rows.map(toAcl);
  },

  async deleteAcl(sql: Sql, id: number): Promise<boolean> {
    return (await sql.execute('DELETE FROM shoal_acl WHERE id = $1', [id])) > 0;
  },

  async recordOwner(sql: Sql, memberId: string, principal: string, now: number): Promise<void> {
    await sql.execute(
      'INSERT INTO shoal_member_owner (member_id, principal, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [memberId, principal, now],
    );
  },

  async ownerOf(sql: Sql, memberId: string): Promise<string | null> {
    const rows = await sql.rows<{ principal: string }>(
      'SELECT principal FROM shoal_member_owner WHERE member_id = $1',
      [memberId],
    );
    return rows.length === 0 ? null : rows[0].principal;
  },
};
