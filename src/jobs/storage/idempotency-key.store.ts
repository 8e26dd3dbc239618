import type { Sql } from '../../storage/database.js';
import { valuesList } from '../../storage/sql-dialect.js';

/** Where the first record with a key went: appended (offset) or scheduled (id, deliverAt). */
export interface KeyedPosition {
  partition: number;
  offset: number;
  scheduledId: string | null;
  deliverAt: number | null;
}

interface Row {
  idempotency_key: string;
  partition_id: number;
  record_offset: number | null;
  scheduled_id: string | null;
  deliver_at: number | null;
}

/** Idempotency keys of produced records per topic, each with the position of its first record. */
export const idempotencyKeyStore = {
  /**
   * Claims the keys not seen since `windowStart` (new, or older than the window) and answers
   * those claimed. A key another transaction is claiming makes this wait for its commit (on
   * PostgreSQL), so two producers of one key never both append.
   */
  async claim(sql: Sql, topicId: number, keys: string[], now: number, windowStart: number): Promise<Set<string>> {
    const params: unknown[] = [];
    for (const key of keys) params.push(topicId, key, now);
    const rows = await sql.rows<{ idempotency_key: string }>(
      `INSERT INTO shoal_idempotency_key (topic_id, idempotency_key, created_at)
       VALUES ${valuesList(keys.length, 3)}
       ON CONFLICT (topic_id, idempotency_key) DO UPDATE
         SET created_at = excluded.created_at, partition_id = NULL, record_offset = NULL, scheduled_id = NULL, deliver_at = NULL
         WHERE shoal_idempotency_key.created_at < ${sql.kind === 'postgres' ? `CAST($${params.length + 1} AS BIGINT)` : `$${params.length + 1}`}
       RETURNING idempotency_key`,
      [...params, windowStart],
    );
    return new Set(rows.map((r) => r.idempotency_key));
  },

  async positions(sql: Sql, topicId: number, keys: string[]): Promise<Map<string, KeyedPosition>> {
    const rows = await sql.rows<Row>(
      `SELECT idempotency_key, partition_id, record_offset, scheduled_id, deliver_at FROM shoal_idempotency_key
       WHERE topic_id = $1 AND idempotency_key IN (${keys.map((_, i) => `$${i + 2}`).join(', ')})`,
      [topicId, ...keys],
    );
    return new Map(
      rows.map((r) => [
        r.idempotency_key,
        {
          partition: Number(r.partition_id),
          offset: r.record_offset === null ? -1 : Number(r.record_offset),
          scheduledId: r.scheduled_id,
          deliverAt: r.deliver_at === null ? null : Number(r.deliver_at),
        },
      ]),
    );
  },

  async record(sql: Sql, topicId: number, key: string, position: KeyedPosition): Promise<void> {
    await sql.execute(
      `UPDATE shoal_idempotency_key SET partition_id = $3, record_offset = $4, scheduled_id = $5, deliver_at = $6
       WHERE topic_id = $1 AND idempotency_key = $2`,
      [
        topicId,
        key,
        position.partition,
        position.offset < 0 ? null : position.offset,
        position.scheduledId,
        position.deliverAt,
      ],
    );
  },

  async forget(sql: Sql, topicId: number, key: string): Promise<void> {
    await sql.execute('DELETE FROM shoal_idempotency_key WHERE topic_id = $1 AND idempotency_key = $2', [topicId, key]);
  },

  /**
   * Forgets up to `limit` keys of one topic created before `before`; answers how many. A seek on
   * `(topic_id, created_at)`, so the cost follows what is forgotten, not how many keys are kept.
   */
  async expire(sql: Sql, topicId: number, before: number, limit: number): Promise<number> {
    return sql.execute(
      `DELETE FROM shoal_idempotency_key WHERE topic_id = $1 AND idempotency_key IN
         (SELECT idempotency_key FROM shoal_idempotency_key WHERE topic_id = $1 AND created_at < $2 LIMIT $3)`,
      [topicId, before, limit],
    );
  },

  /** Every topic with its idempotency window (null: the broker's default), for the expiry. */
  async windows(sql: Sql): Promise<{ topicId: number; windowMs: number | null }[]> {
    const rows = await sql.rows<{ id: number; idempotency_window_ms: number | null }>(
      'SELECT id, idempotency_window_ms FROM shoal_topic ORDER BY id',
    );
    return rows.map((r) => ({
      topicId: Number(r.id),
      windowMs: r.idempotency_window_ms === null ? null : Number(r.idempotency_window_ms),
    }));
  },
};
