import type { Sql } from '../../storage/database.js';

/** The session SQL both group kinds share: their group and member tables differ only in name. */
export interface GroupSessionStore {
  /** Groups with a member whose session ran out before `now`. */
  groupsWithExpiredMembers(sql: Sql, now: number): Promise<string[]>;
  /** After a restart every member gets a fresh session. */
  renewAllSessions(sql: Sql, now: number): Promise<void>;
}

export function groupSessionStore(kind: 'consumer' | 'share'): GroupSessionStore {
  const groups = `shoal_${kind}_group`;
  const members = `shoal_${kind}_member`;
  return {
    async groupsWithExpiredMembers(sql, now) {
      const rows = await sql.rows<{ name: string }>(
        // Driven by the members' expiry index: the cost follows the expired members, not all of them.
        `SELECT g.name FROM ${groups} g WHERE g.id IN (SELECT m.group_id FROM ${members} m WHERE m.expires_at < $1)`,
        [now],
      );
      return rows.map((r) => r.name);
    },
    async renewAllSessions(sql, now) {
      await sql.execute(
        `UPDATE ${members} SET expires_at = CAST($1 AS BIGINT) + session_timeout_ms WHERE expires_at < CAST($1 AS BIGINT) + session_timeout_ms`,
        [now],
      );
    },
  };
}
