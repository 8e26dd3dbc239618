import type { Sql } from './database.js';

/** One in-flight record row of a share-partition, as the console shows it. */
export interface InFlightRow {
  offset: number;
  state: number;
  deliveryCount: number;
  memberId: string | null;
  lockExpiresAt: number | null;
  availableAt: number | null;
}

/** Reads for operator tools: group names by page, a share-partition's in-flight rows, redrive marks. */
export const operationsStore = {
  /** Names after `after` in name order, at most `limit`. */
  async groupNames(sql: Sql, kind: 'consumer' | 'share', after: string, limit: number): Promise<string[]> {
    const rows = await sql.rows<{ name: string }>(
      `SELECT name FROM shoal_${kind}_group WHERE name > $1 ORDER BY name LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => r.name);
  },

  async inFlight(
    sql: Sql,
    groupId: number,
    topicId: number,
    partition: number,
    fromOffset: number,
    limit: number,
  ): Promise<InFlightRow[]> {
    const rows = await sql.rows<{
      record_offset: number;
      state: number;
      delivery_count: number;
      member_id: string | null;
      lock_expires_at: number | null;
      available_at: number | null;
    }>(
      `SELECT record_offset, state, delivery_count, member_id, lock_expires_at, available_at FROM shoal_share_record
       WHERE group_id = $1 AND topic_id = $2 AND partition_id = $3 AND record_offset >= $4
       ORDER BY record_offset LIMIT $5`,
      [groupId, topicId, partition, fromOffset, limit],
    );
    return rows.map((r) => ({
      offset: Number(r.record_offset),
      state: Number(r.state),
      deliveryCount: Number(r.delivery_count),
      memberId: r.member_id,
      lockExpiresAt: r.lock_expires_at === null ? null : Number(r.lock_expires_at),
      availableAt: r.available_at === null ? null : Number(r.available_at),
    }));
  },

  /** Marks a dead-letter record redriven; false when it already was (so it is not copied again). */
  async markRedriven(sql: Sql, topicId: number, partition: number, offset: number, now: number): Promise<boolean> {
    const changed = await sql.execute(
      `INSERT INTO shoal_redrive (topic_id, partition_id, record_offset, redriven_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (topic_id, partition_id, record_offset) DO NOTHING`,
      [topicId, partition, offset, now],
    );
    return changed > 0;
  },
};
