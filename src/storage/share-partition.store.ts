import { type InFlightRecord, RecordState } from '../domain/share-group/record-state.js';
import type { Sql } from './database.js';
import { valuesList } from './sql-dialect.js';

/** (group, topic, partition): the key of a share-partition. */
export interface SharePartitionKey {
  groupId: number;
  topicId: number;
  partition: number;
}

export interface ShareWindow {
  startOffset: number;
  endOffset: number;
}

interface RecordRow {
  record_offset: number;
  state: number;
  delivery_count: number;
  member_id: string | null;
  lock_expires_at: number | null;
  available_at: number | null;
}

const KEY = 'group_id = $1 AND topic_id = $2 AND partition_id = $3';
const RECORD_COLUMNS = 'record_offset, state, delivery_count, member_id, lock_expires_at, available_at';
const keyParams = (k: SharePartitionKey) => [k.groupId, k.topicId, k.partition];

const toRecord = (r: RecordRow): InFlightRecord => ({
  offset: Number(r.record_offset),
  state: Number(r.state) as RecordState,
  deliveryCount: Number(r.delivery_count),
  memberId: r.member_id,
  lockExpiresAt: r.lock_expires_at === null ? null : Number(r.lock_expires_at),
  availableAt: r.available_at === null ? null : Number(r.available_at),
});

/** `$4, $5, …` for a list of offsets after the three key parameters. */
const offsetList = (count: number, first = 4) => Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');

/** A share-partition's window and its in-flight records. */
export const sharePartitionStore = {
  /** The window, locked on PostgreSQL so one share-partition changes one transaction at a time. */
  async lockWindow(sql: Sql, key: SharePartitionKey): Promise<ShareWindow | null> {
    const lock = sql.kind === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await sql.rows<{ start_offset: number; end_offset: number }>(
      `SELECT start_offset, end_offset FROM shoal_share_partition WHERE ${KEY}${lock}`,
      keyParams(key),
    );
    return rows.length === 0
      ? null
      : { startOffset: Number(rows[0].start_offset), endOffset: Number(rows[0].end_offset) };
  },

  async createWindow(sql: Sql, key: SharePartitionKey, start: number): Promise<void> {
    await sql.execute(
      `INSERT INTO shoal_share_partition (group_id, topic_id, partition_id, start_offset, end_offset) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (group_id, topic_id, partition_id) DO NOTHING`,
      [...keyParams(key), start],
    );
  },

  async setWindow(sql: Sql, key: SharePartitionKey, window: ShareWindow): Promise<void> {
    await sql.execute(`UPDATE shoal_share_partition SET start_offset = $4, end_offset = $5 WHERE ${KEY}`, [
      ...keyParams(key),
      window.startOffset,
      window.endOffset,
    ]);
  },

  /** Every share-partition of a group, with its window. */
  async windows(sql: Sql, groupId: number): Promise<(SharePartitionKey & ShareWindow)[]> {
    const rows = await sql.rows<{ topic_id: number; partition_id: number; start_offset: number; end_offset: number }>(
      'SELECT topic_id, partition_id, start_offset, end_offset FROM shoal_share_partition WHERE group_id = $1 ORDER BY topic_id, partition_id',
      [groupId],
    );
    return rows.map((r) => ({
      groupId,
      topicId: Number(r.topic_id),
      partition: Number(r.partition_id),
      startOffset: Number(r.start_offset),
      endOffset: Number(r.end_offset),
    }));
  },

  async records(sql: Sql, key: SharePartitionKey, offsets: number[]): Promise<Map<number, InFlightRecord>> {
    const result = new Map<number, InFlightRecord>();
    for (let at = 0; at < offsets.length; at += 5_000) {
      const chunk = offsets.slice(at, at + 5_000);
      const rows = await sql.rows<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM shoal_share_record WHERE ${KEY} AND record_offset IN (${offsetList(chunk.length)})`,
        [...keyParams(key), ...chunk],
      );
      for (const row of rows) result.set(Number(row.record_offset), toRecord(row));
    }
    return result;
  },

  /**
   * Available records not waiting out a delay, lowest offset first: the one statement of what
   * can be handed out (records whose lock ran out were released when the share-partition was
   * opened). Tested on both databases by share-group-transitions.spec.ts.
   */
  async available(sql: Sql, key: SharePartitionKey, now: number, limit: number): Promise<InFlightRecord[]> {
    const rows = await sql.rows<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM shoal_share_record WHERE ${KEY} AND state = ${RecordState.Available} AND (available_at IS NULL OR available_at <= $4)
       ORDER BY record_offset LIMIT $5`,
      [...keyParams(key), now, limit],
    );
    return rows.map(toRecord);
  },

  /** Acquired records whose lock ran out at or before `now`. */
  async expired(sql: Sql, key: SharePartitionKey, now: number): Promise<InFlightRecord[]> {
    const rows = await sql.rows<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM shoal_share_record WHERE ${KEY} AND state = ${RecordState.Acquired} AND lock_expires_at <= $4`,
      [...keyParams(key), now],
    );
    return rows.map(toRecord);
  },

  /** The next time after `now` a delayed release becomes available or a lock runs out, in the group. */
  async nextEventAt(sql: Sql, groupId: number, now: number): Promise<number | null> {
    const rows = await sql.rows<{ next: number | null }>(
      `SELECT MIN(CASE WHEN state = ${RecordState.Available} THEN available_at ELSE lock_expires_at END) AS next FROM shoal_share_record
       WHERE group_id = $1 AND ((state = ${RecordState.Available} AND available_at > $2) OR (state = ${RecordState.Acquired} AND lock_expires_at > $2))`,
      [groupId, now],
    );
    return rows[0]?.next === null || rows[0]?.next === undefined ? null : Number(rows[0].next);
  },

  /** Groups holding a record whose lock ran out at or before `now`. */
  async groupsWithExpiredLocks(sql: Sql, now: number): Promise<string[]> {
    const rows = await sql.rows<{ name: string }>(
      `SELECT g.name FROM shoal_share_group g WHERE EXISTS (
         SELECT 1 FROM shoal_share_record r WHERE r.group_id = g.id AND r.state = ${RecordState.Acquired} AND r.lock_expires_at <= $1)`,
      [now],
    );
    return rows.map((r) => r.name);
  },

  /** A group's share-partitions holding a record whose lock ran out at or before `now`, in lock order. */
  async partitionsWithExpiredLocks(
    sql: Sql,
    groupId: number,
    now: number,
  ): Promise<{ topicId: number; partition: number }[]> {
    const rows = await sql.rows<{ topic_id: number; partition_id: number }>(
      `SELECT DISTINCT topic_id, partition_id FROM shoal_share_record
       WHERE group_id = $1 AND state = ${RecordState.Acquired} AND lock_expires_at <= $2 ORDER BY topic_id, partition_id`,
      [groupId, now],
    );
    return rows.map((r) => ({ topicId: Number(r.topic_id), partition: Number(r.partition_id) }));
  },

  /** Records a member holds (acquired by it), in every share-partition of the group. */
  async heldBy(
    sql: Sql,
    groupId: number,
    memberId: string,
  ): Promise<(InFlightRecord & { topicId: number; partition: number })[]> {
    const rows = await sql.rows<RecordRow & { topic_id: number; partition_id: number }>(
      `SELECT topic_id, partition_id, ${RECORD_COLUMNS} FROM shoal_share_record WHERE group_id = $1 AND state = ${RecordState.Acquired} AND member_id = $2`,
      [groupId, memberId],
    );
    return rows.map((r) => ({ ...toRecord(r), topicId: Number(r.topic_id), partition: Number(r.partition_id) }));
  },

  /** Acquires existing rows for `memberId`: one statement, the delivery count up by one. */
  async acquire(
    sql: Sql,
    key: SharePartitionKey,
    offsets: number[],
    memberId: string,
    lockExpiresAt: number,
  ): Promise<void> {
    if (offsets.length === 0) return;
    await sql.execute(
      `UPDATE shoal_share_record SET state = ${RecordState.Acquired}, delivery_count = delivery_count + 1, member_id = $4, lock_expires_at = $5, available_at = NULL
       WHERE ${KEY} AND record_offset IN (${offsetList(offsets.length, 6)})`,
      [...keyParams(key), memberId, lockExpiresAt, ...offsets],
    );
  },

  /** Inserts rows for offsets [from, to) just taken from the log, acquired with count 1. */
  async insertAcquired(
    sql: Sql,
    key: SharePartitionKey,
    from: number,
    to: number,
    memberId: string,
    lockExpiresAt: number,
  ): Promise<void> {
    for (let start = from; start < to; start += 2_000) {
      const end = Math.min(to, start + 2_000);
      const params: unknown[] = [];
      for (let offset = start; offset < end; offset++)
        params.push(key.groupId, key.topicId, key.partition, offset, RecordState.Acquired, 1, memberId, lockExpiresAt);
      await sql.execute(
        `INSERT INTO shoal_share_record (group_id, topic_id, partition_id, record_offset, state, delivery_count, member_id, lock_expires_at) VALUES ${valuesList(end - start, 8)}`,
        params,
      );
    }
  },

  /**
   * Writes records as they now are, with one UPDATE per distinct outcome (state, holder, lock,
   * availability) rather than one per record. The delivery count is not touched: only an
   * acquisition changes it.
   */
  async write(sql: Sql, key: SharePartitionKey, records: Iterable<InFlightRecord>): Promise<void> {
    const groups = new Map<string, { record: InFlightRecord; offsets: number[] }>();
    for (const record of records) {
      const shape = `${record.state}|${record.memberId}|${record.lockExpiresAt}|${record.availableAt}`;
      const group = groups.get(shape);
      if (group) group.offsets.push(record.offset);
      else groups.set(shape, { record, offsets: [record.offset] });
    }
    for (const { record, offsets } of groups.values()) {
      for (let at = 0; at < offsets.length; at += 5_000) {
        const chunk = offsets.slice(at, at + 5_000);
        await sql.execute(
          `UPDATE shoal_share_record SET state = $4, member_id = $5, lock_expires_at = $6, available_at = $7
           WHERE ${KEY} AND record_offset IN (${offsetList(chunk.length, 8)})`,
          [...keyParams(key), record.state, record.memberId, record.lockExpiresAt, record.availableAt, ...chunk],
        );
      }
    }
  },

  /** The lowest offset at or above `from` that is not final, or null when every row is final. */
  async firstNotFinal(sql: Sql, key: SharePartitionKey, from: number): Promise<number | null> {
    const rows = await sql.rows<{ first: number | null }>(
      `SELECT MIN(record_offset) AS first FROM shoal_share_record WHERE ${KEY} AND record_offset >= $4
       AND state NOT IN (${RecordState.Acknowledged}, ${RecordState.Archived})`,
      [...keyParams(key), from],
    );
    return rows[0]?.first === null || rows[0]?.first === undefined ? null : Number(rows[0].first);
  },

  /** Rows of records that are below the start: final, or gone from the log. */
  async deleteBelow(sql: Sql, key: SharePartitionKey, offset: number): Promise<void> {
    await sql.execute(`DELETE FROM shoal_share_record WHERE ${KEY} AND record_offset < $4`, [
      ...keyParams(key),
      offset,
    ]);
  },

  /** Rows per state in a group's windows; a delayed release counts as available. */
  async counts(sql: Sql, groupId: number): Promise<Map<string, Record<RecordState, number>>> {
    const rows = await sql.rows<{ topic_id: number; partition_id: number; state: number; n: number }>(
      'SELECT topic_id, partition_id, state, COUNT(*) AS n FROM shoal_share_record WHERE group_id = $1 GROUP BY topic_id, partition_id, state',
      [groupId],
    );
    const result = new Map<string, Record<RecordState, number>>();
    for (const r of rows) {
      const key = `${r.topic_id}:${r.partition_id}`;
      const counts = result.get(key) ?? {
        [RecordState.Available]: 0,
        [RecordState.Acquired]: 0,
        [RecordState.Acknowledged]: 0,
        [RecordState.Archived]: 0,
      };
      counts[Number(r.state) as RecordState] += Number(r.n);
      result.set(key, counts);
    }
    return result;
  },

  async deleteForTopic(sql: Sql, groupId: number, topicId: number, partition?: number): Promise<void> {
    const only = partition === undefined ? '' : ' AND partition_id = $3';
    const params = partition === undefined ? [groupId, topicId] : [groupId, topicId, partition];
    await sql.execute(`DELETE FROM shoal_share_record WHERE group_id = $1 AND topic_id = $2${only}`, params);
  },
};
