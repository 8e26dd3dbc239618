import { dropLeadingFinal, overlay, type RecordRange, sameOutcome, type StartHint } from '../domain/record-range.js';
import { RecordState } from '../domain/record-state.js';
import type { Sql } from '../../storage/database.js';
import { valuesList } from '../../storage/sql-dialect.js';

// The rows of `shoal_share_range` and how ranges are written to them, for share-partition.store.ts.

/** (group, topic, partition): the key of a share-partition. */
export interface SharePartitionKey {
  groupId: number;
  topicId: number;
  partition: number;
}

/** A share-partition's window, as `shoal_share_partition` holds it. */
export interface ShareWindow {
  startOffset: number;
  endOffset: number;
}

/** One row: a range of in-flight records. */
export interface RangeRow {
  first_offset: number;
  last_offset: number;
  state: number;
  delivery_count: number;
  member_id: string | null;
  lock_expires_at: number | null;
  available_at: number | null;
}

export const KEY = 'group_id = $1 AND topic_id = $2 AND partition_id = $3';
export const RANGE_COLUMNS =
  'first_offset, last_offset, state, delivery_count, member_id, lock_expires_at, available_at';
export const FINAL = `${RecordState.Acknowledged}, ${RecordState.Archived}`;
export const keyParams = (k: SharePartitionKey) => [k.groupId, k.topicId, k.partition];
const nullable = (v: number | null) => (v === null ? null : Number(v));

export const toRange = (r: RangeRow): RecordRange => ({
  firstOffset: Number(r.first_offset),
  lastOffset: Number(r.last_offset),
  state: Number(r.state) as RecordState,
  deliveryCount: Number(r.delivery_count),
  memberId: r.member_id,
  lockExpiresAt: nullable(r.lock_expires_at),
  availableAt: nullable(r.available_at),
});

/** The parameters of one range's row after the key. */
const rangeParams = (r: RecordRange) => [
  r.firstOffset,
  r.lastOffset,
  r.state,
  r.deliveryCount,
  r.memberId,
  r.lockExpiresAt,
  r.availableAt,
];

/** `$4, $5, …` for a list of offsets after the three key parameters. */
export const offsetList = (count: number, first = 4) =>
  Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');

/** Rows per INSERT: 10 parameters each, well below both databases' limits. */
const INSERT_CHUNK = 500;

/**
 * `changes` laid over `existing` (the ranges over their span, read in this transaction) and
 * written as the difference: one UPDATE when one range changes alike, else a DELETE of the
 * rows that changed and one INSERT of their replacements.
 */
export async function writeRanges(
  sql: Sql,
  key: SharePartitionKey,
  existing: RecordRange[],
  changes: RecordRange[],
  window: ShareWindow | undefined,
): Promise<StartHint | null> {
  const next = overlay(existing, changes);
  const hint = window ? dropLeadingFinal(next, window) : null;
  const byFirst = new Map(existing.map((r) => [r.firstOffset, r]));
  const same = (r: RecordRange) => {
    const e = byFirst.get(r.firstOffset);
    return e !== undefined && e.lastOffset === r.lastOffset && sameOutcome(e, r);
  };
  const fresh = next.filter((r) => !same(r));
  const kept = new Set(next.filter(same).map((r) => r.firstOffset));
  const stale = existing.filter((r) => !kept.has(r.firstOffset));
  if (stale.length === 1 && fresh.length === 1 && stale[0].firstOffset === fresh[0].firstOffset) {
    await sql.later(
      `UPDATE shoal_share_range SET last_offset = $5, state = $6, delivery_count = $7, member_id = $8, lock_expires_at = $9, available_at = $10
         WHERE ${KEY} AND first_offset = $4`,
      [...keyParams(key), ...rangeParams(fresh[0])],
    );
    return hint;
  }
  for (let at = 0; at < stale.length; at += 5_000) {
    const chunk = stale.slice(at, at + 5_000).map((r) => r.firstOffset);
    await sql.later(`DELETE FROM shoal_share_range WHERE ${KEY} AND first_offset IN (${offsetList(chunk.length)})`, [
      ...keyParams(key),
      ...chunk,
    ]);
  }
  await insertRanges(sql, key, fresh);
  return hint;
}

export async function insertRanges(sql: Sql, key: SharePartitionKey, ranges: RecordRange[]): Promise<void> {
  for (let at = 0; at < ranges.length; at += INSERT_CHUNK) {
    const chunk = ranges.slice(at, at + INSERT_CHUNK);
    await sql.later(
      `INSERT INTO shoal_share_range (group_id, topic_id, partition_id, ${RANGE_COLUMNS}) VALUES ${valuesList(chunk.length, 10)}`,
      chunk.flatMap((r) => [...keyParams(key), ...rangeParams(r)]),
    );
  }
}
