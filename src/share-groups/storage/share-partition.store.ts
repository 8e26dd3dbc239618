import { expand, type RecordRange, rangeLength, rangesOf, recordAt, type StartHint } from '../domain/record-range.js';
import { type InFlightRecord, RecordState } from '../domain/record-state.js';
import type { Sql } from '../../storage/database.js';
import { type LockedWindow, lockWindowsStatement, toLockedWindows } from './share-window-reads.js';
import {
  FINAL,
  insertRanges,
  KEY,
  keyParams,
  RANGE_COLUMNS,
  type RangeRow,
  type SharePartitionKey,
  type ShareWindow,
  toRange,
  writeRanges,
} from './share-range.rows.js';

export type { SharePartitionKey, ShareWindow } from './share-range.rows.js';
export type { StartHint } from '../domain/record-range.js';
export type { LockedWindow } from './share-window-reads.js';

/** A share-partition's window and its in-flight records. */
export const sharePartitionStore = {
  /**
   * Reads the windows of a group's share-partitions in one statement, in the lock order (topic,
   * partition), each with its log partition's offsets, whether a lock in it ran out by `now`,
   * whether a record in it is available and the group's flow row — what opening it and acquiring
   * from it would read in up to five more statements. On PostgreSQL the windows are locked (FOR
   * UPDATE), in that order; SQLite runs one write transaction at a time, and there the one
   * statement saves the others and their requests to the connection. Keyed `topicId:partition`; share-partitions
   * not started are absent.
   */
  async lockWindows(
    sql: Sql,
    groupId: number,
    keys: { topicId: number; partition: number }[],
    now: number,
  ): Promise<Map<string, LockedWindow>> {
    if (keys.length === 0) return new Map();
    const { sql: text, params } = lockWindowsStatement(sql.kind, groupId, keys, now);
    return toLockedWindows(await sql.rows(text, params));
  },

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
    await sql.later(`UPDATE shoal_share_partition SET start_offset = $4, end_offset = $5 WHERE ${KEY}`, [
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

  /** The ranges holding any offset in [from, to], in offset order. */
  async rangesOver(sql: Sql, key: SharePartitionKey, from: number, to: number): Promise<RecordRange[]> {
    const rows = await sql.rows<RangeRow>(
      `SELECT ${RANGE_COLUMNS} FROM shoal_share_range WHERE ${KEY} AND first_offset <= $5
       AND first_offset >= COALESCE((SELECT MAX(first_offset) FROM shoal_share_range WHERE ${KEY} AND first_offset <= $4), $4)
       ORDER BY first_offset`,
      [...keyParams(key), from, to],
    );
    return rows.map(toRange).filter((r) => r.lastOffset >= from);
  },

  /** At most `limit` ranges holding offsets from `from` on, in offset order (the in-flight view). */
  async rangesFrom(sql: Sql, key: SharePartitionKey, from: number, limit: number): Promise<RecordRange[]> {
    const rows = await sql.rows<RangeRow>(
      `SELECT ${RANGE_COLUMNS} FROM shoal_share_range WHERE ${KEY} AND last_offset >= $4 ORDER BY first_offset LIMIT $5`,
      [...keyParams(key), from, limit],
    );
    return rows.map(toRange);
  },

  /** The in-flight records at `offsets` that have one (offsets never handed out have none). */
  async records(sql: Sql, key: SharePartitionKey, offsets: number[]): Promise<Map<number, InFlightRecord>> {
    const result = new Map<number, InFlightRecord>();
    if (offsets.length === 0) return result;
    const sorted = [...offsets].sort((a, b) => a - b);
    const ranges = await this.rangesOver(sql, key, sorted[0], sorted[sorted.length - 1]);
    let r = 0;
    for (const offset of sorted) {
      while (r < ranges.length && ranges[r].lastOffset < offset) r++;
      if (r < ranges.length && ranges[r].firstOffset <= offset) result.set(offset, recordAt(ranges[r], offset));
    }
    return result;
  },

  /**
   * Available records not waiting out a delay, lowest offset first: the one statement of what
   * can be handed out (records whose lock ran out were released when the share-partition was
   * opened). Tested on both databases by share-group-transitions.spec.ts.
   */
  async available(sql: Sql, key: SharePartitionKey, now: number, limit: number): Promise<InFlightRecord[]> {
    if (limit <= 0) return [];
    const rows = await sql.rows<RangeRow>(
      `SELECT ${RANGE_COLUMNS} FROM shoal_share_range WHERE ${KEY} AND state = ${RecordState.Available} AND (available_at IS NULL OR available_at <= $4)
       ORDER BY first_offset LIMIT $5`,
      [...keyParams(key), now, limit],
    );
    return expand(rows.map(toRange), limit);
  },

  /** Acquired records whose lock ran out at or before `now` (at most the in-flight cap, 10,000). */
  async expired(sql: Sql, key: SharePartitionKey, now: number): Promise<InFlightRecord[]> {
    const rows = await sql.rows<RangeRow>(
      `SELECT ${RANGE_COLUMNS} FROM shoal_share_range WHERE ${KEY} AND state = ${RecordState.Acquired} AND lock_expires_at <= $4
       ORDER BY first_offset`,
      [...keyParams(key), now],
    );
    const ranges = rows.map(toRange);
    return expand(
      ranges,
      ranges.reduce((n, r) => n + rangeLength(r), 0),
    );
  },

  /** The next time after `now` a delayed release becomes available or a lock runs out, in the group. */
  async nextEventAt(sql: Sql, groupId: number, now: number): Promise<number | null> {
    const rows = await sql.rows<{ next: number | null }>(
      `SELECT MIN(CASE WHEN state = ${RecordState.Available} THEN available_at ELSE lock_expires_at END) AS next FROM shoal_share_range
       WHERE group_id = $1 AND ((state = ${RecordState.Available} AND available_at > $2) OR (state = ${RecordState.Acquired} AND lock_expires_at > $2))`,
      [groupId, now],
    );
    return rows[0]?.next === null || rows[0]?.next === undefined ? null : Number(rows[0].next);
  },

  /** Groups holding a record whose lock ran out at or before `now`. */
  async groupsWithExpiredLocks(sql: Sql, now: number): Promise<string[]> {
    const rows = await sql.rows<{ name: string }>(
      // Driven by the (state, lock_expires_at) index: reads the expired ranges only, not every one in flight.
      `SELECT g.name FROM shoal_share_group g WHERE g.id IN (
         SELECT r.group_id FROM shoal_share_range r WHERE r.state = ${RecordState.Acquired} AND r.lock_expires_at <= $1)`,
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
      `SELECT DISTINCT topic_id, partition_id FROM shoal_share_range
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
    const rows = await sql.rows<RangeRow & { topic_id: number; partition_id: number }>(
      `SELECT topic_id, partition_id, ${RANGE_COLUMNS} FROM shoal_share_range WHERE group_id = $1 AND state = ${RecordState.Acquired} AND member_id = $2`,
      [groupId, memberId],
    );
    const held: (InFlightRecord & { topicId: number; partition: number })[] = [];
    for (const row of rows) {
      const range = toRange(row);
      const at = { topicId: Number(row.topic_id), partition: Number(row.partition_id) };
      for (let o = range.firstOffset; o <= range.lastOffset; o++) held.push({ ...recordAt(range, o), ...at });
    }
    return held;
  },

  /**
   * Puts back records below the window's start (a redrive into the group, issue 27): `offsets`
   * (ascending, below `start`) become available with delivery count 0, every other offset from
   * the first of them to `start` a final record (acknowledged: what it was, archived or
   * acknowledged, is no longer known). The caller moves the window's start to `offsets[0]`.
   */
  async reopenBelowStart(sql: Sql, key: SharePartitionKey, offsets: number[], start: number): Promise<void> {
    const free = { memberId: null, lockExpiresAt: null, availableAt: null };
    const ranges: RecordRange[] = [];
    let next = offsets[0];
    for (const offset of offsets) {
      if (offset > next)
        ranges.push({
          firstOffset: next,
          lastOffset: offset - 1,
          state: RecordState.Acknowledged,
          deliveryCount: 1,
          ...free,
        });
      ranges.push({ firstOffset: offset, lastOffset: offset, state: RecordState.Available, deliveryCount: 0, ...free });
      next = offset + 1;
    }
    if (next < start)
      ranges.push({
        firstOffset: next,
        lastOffset: start - 1,
        state: RecordState.Acknowledged,
        deliveryCount: 1,
        ...free,
      });
    await insertRanges(sql, key, ranges);
  },

  /** Inserts one range for offsets [from, to) just taken from the log, acquired with count 1. */
  async insertAcquired(
    sql: Sql,
    key: SharePartitionKey,
    from: number,
    to: number,
    memberId: string,
    lockExpiresAt: number,
  ): Promise<void> {
    if (to <= from) return;
    await insertRanges(sql, key, [
      {
        firstOffset: from,
        lastOffset: to - 1,
        state: RecordState.Acquired,
        deliveryCount: 1,
        memberId,
        lockExpiresAt,
        availableAt: null,
      },
    ]);
  },

  /**
   * Writes records as they now are (state, delivery count, holder, lock, availability): the
   * ranges they fall in are split where their outcomes differ and neighbours with one outcome
   * merged, with a read (unless `existing`, the ranges over the records' span, were read in
   * this transaction) and one UPDATE when a whole range changes alike, else a DELETE and an
   * INSERT. Given the `window`, leading final ranges from its start are deleted rather than
   * written, and the answer says where the start has got to ({@link StartHint}).
   */
  async write(
    sql: Sql,
    key: SharePartitionKey,
    records: Iterable<InFlightRecord>,
    options: { existing?: RecordRange[]; window?: ShareWindow } = {},
  ): Promise<StartHint | null> {
    const changes = rangesOf(records);
    if (changes.length === 0) return null;
    const existing =
      options.existing ??
      (await this.rangesOver(sql, key, changes[0].firstOffset, changes[changes.length - 1].lastOffset));
    return writeRanges(sql, key, existing, changes, options.window);
  },

  /** The lowest offset at or above `from` that is not final, or null when every record is final. */
  async firstNotFinal(sql: Sql, key: SharePartitionKey, from: number): Promise<number | null> {
    const rows = await sql.rows<{ first: number | null }>(
      `SELECT MIN(first_offset) AS first FROM shoal_share_range WHERE ${KEY} AND last_offset >= $4 AND state NOT IN (${FINAL})`,
      [...keyParams(key), from],
    );
    const first = rows[0]?.first;
    return first === null || first === undefined ? null : Math.max(from, Number(first));
  },

  /**
   * Removes the records below `offset`: final, or gone from the log. `straddling`: a range may
   * hold offsets on both sides (retention), and keeps the part from `offset` on.
   */
  async deleteBelow(sql: Sql, key: SharePartitionKey, offset: number, straddling = true): Promise<void> {
    await sql.later(`DELETE FROM shoal_share_range WHERE ${KEY} AND first_offset < $4 AND last_offset < $4`, [
      ...keyParams(key),
      offset,
    ]);
    if (straddling)
      await sql.later(`UPDATE shoal_share_range SET first_offset = $4 WHERE ${KEY} AND first_offset < $4`, [
        ...keyParams(key),
        offset,
      ]);
  },

  /** Records per state in a group's windows (the ranges' lengths summed); a delayed release counts as available. */
  async counts(sql: Sql, groupId: number): Promise<Map<string, Record<RecordState, number>>> {
    const rows = await sql.rows<{ topic_id: number; partition_id: number; state: number; n: number }>(
      `SELECT topic_id, partition_id, state, SUM(last_offset - first_offset + 1) AS n FROM shoal_share_range
       WHERE group_id = $1 GROUP BY topic_id, partition_id, state`,
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
    await sql.execute(`DELETE FROM shoal_share_range WHERE group_id = $1 AND topic_id = $2${only}`, params);
    await sql.execute(`DELETE FROM shoal_share_job WHERE group_id = $1 AND topic_id = $2${only}`, params);
  },
};
