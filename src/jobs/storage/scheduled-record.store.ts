import type { RecordKey, RecordValue, StoredHeaders } from '../../log/domain/record.js';
import type { Sql } from '../../storage/database.js';
import { keyColumns, keyOfColumns, valueOfColumns } from '../../log/storage/log.store.js';
import type { StoredRow } from '../../log/storage/record-columns.js';

/** A record waiting for its time, as stored. */
export interface ScheduledRow {
  id: string;
  topicId: number;
  partition: number;
  deliverAt: number;
  timestamp: number | null;
  key: RecordKey;
  value: RecordValue;
  headers: StoredHeaders;
  size: number;
  idempotencyKey: string | null;
}

/** A scheduled record's row: a log record's columns (no offset yet, a timestamp or none) and its schedule. */
interface Row extends Omit<StoredRow, 'record_offset' | 'timestamp'> {
  id: string;
  topic_id: number;
  partition_id: number;
  deliver_at: number;
  timestamp: number | null;
  idempotency_key: string | null;
}

const COLUMNS =
  'id, topic_id, partition_id, deliver_at, timestamp, record_key, key_bytes, value_json, value_bytes, headers, size, idempotency_key';

function toScheduled(r: Row): ScheduledRow {
  return {
    id: r.id,
    topicId: Number(r.topic_id),
    partition: Number(r.partition_id),
    deliverAt: Number(r.deliver_at),
    timestamp: r.timestamp === null ? null : Number(r.timestamp),
    key: keyOfColumns(r.record_key, r.key_bytes),
    value: valueOfColumns(r.value_json, r.value_bytes),
    headers: r.headers,
    size: Number(r.size),
    idempotencyKey: r.idempotency_key,
  };
}

/** Records produced with `deliverAt`/`delayMs`: kept here until due, then appended and deleted. */
export const scheduledRecordStore = {
  async insert(sql: Sql, row: ScheduledRow, now: number): Promise<void> {
    await sql.execute(
      `INSERT INTO shoal_scheduled_record (${COLUMNS}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        row.id,
        row.topicId,
        row.partition,
        row.deliverAt,
        row.timestamp,
        ...keyColumns(row.key),
        typeof row.value === 'string' ? row.value : null,
        row.value === null || typeof row.value === 'string' ? null : row.value,
        row.headers,
        row.size,
        row.idempotencyKey,
        now,
      ],
    );
  },

  /** When the soonest waiting record is due, or null: a cheap look before a transaction is opened. */
  async nextDueAt(sql: Sql): Promise<number | null> {
    const rows = await sql.rows<{ at: number | null }>('SELECT MIN(deliver_at) AS at FROM shoal_scheduled_record');
    return rows.length === 0 || rows[0].at === null ? null : Number(rows[0].at);
  },

  /**
   * Takes up to `limit` due records, soonest first, and deletes them. On PostgreSQL the rows are
   * locked and those another broker holds are skipped, so each is taken exactly once.
   */
  async takeDue(sql: Sql, now: number, limit: number): Promise<ScheduledRow[]> {
    const lock = sql.kind === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await sql.rows<Row>(
      `SELECT ${COLUMNS} FROM shoal_scheduled_record WHERE deliver_at <= $1
       ORDER BY deliver_at, created_at, id LIMIT $2${lock}`,
      [now, limit],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    await sql.execute(
      `DELETE FROM shoal_scheduled_record WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
      ids,
    );
    return rows.map(toScheduled);
  },

  async list(sql: Sql, topicId: number, limit: number): Promise<ScheduledRow[]> {
    const rows = await sql.rows<Row>(
      `SELECT ${COLUMNS} FROM shoal_scheduled_record WHERE topic_id = $1 ORDER BY deliver_at, created_at, id LIMIT $2`,
      [topicId, limit],
    );
    return rows.map(toScheduled);
  },

  async find(sql: Sql, topicId: number, id: string): Promise<ScheduledRow | null> {
    const rows = await sql.rows<Row>(`SELECT ${COLUMNS} FROM shoal_scheduled_record WHERE topic_id = $1 AND id = $2`, [
      topicId,
      id,
    ]);
    return rows.length === 0 ? null : toScheduled(rows[0]);
  },

  /** Answers whether the record was still waiting (and is now cancelled). */
  async cancel(sql: Sql, topicId: number, id: string): Promise<boolean> {
    return (await sql.execute('DELETE FROM shoal_scheduled_record WHERE topic_id = $1 AND id = $2', [topicId, id])) > 0;
  },
};
