import type { StoredRecord } from '../../log/domain/record.js';
import { type StoredRow, toStoredRecord } from '../../log/storage/record-columns.js';
import { RecordState } from '../domain/record-state.js';
import type { Sql } from '../../storage/database.js';
import { FLOW_COLUMNS, type ShareFlowRow, type ShareFlowRowColumns, toFlowRow } from './share-group-flow.store.js';
import type { ShareWindow } from './share-range.rows.js';

/** A share-partition's window locked ahead by {@link lockWindowsStatement}, with what opening it reads. */
export interface LockedWindow {
  window: ShareWindow;
  /** The log partition's offsets; null when it is gone. */
  log: { startOffset: number; endOffset: number } | null;
  /** Whether a record's lock had run out (as of the `now` asked about): only then are expiries looked for. */
  expired: boolean;
  /** Whether a record was available (as of that `now`): only then are available ones looked for. */
  available: boolean;
  /**
   * The group's flow settings and bucket, as of this statement (null: it has none): the
   * settings change only under the group's exclusive lock, which the caller's shared one keeps out.
   */
  flow: ShareFlowRow | null;
  /** The records a fetch would take next from the log, read right after the lock (see {@link NextRecords}). */
  next?: NextRecords;
}

/**
 * The stored records from the window's end on, read after its lock in the same round trip
 * (`shoal_share_next_records`): those below the log's end, the group's in-flight cap and `max`
 * — what a fetch of up to `max` that finds nothing available reads next. Valid while the window
 * is still `window` (as locked) and nothing of it became available.
 */
export interface NextRecords {
  window: ShareWindow;
  max: number;
  records: Map<number, StoredRecord>;
}

/**
 * What a share fetch's first round trip may carry besides the group's opening on PostgreSQL:
 * the windows it expects to lock (the member's assignment the last time) and the next records
 * of the one it expects to fill from first. Used only if the group and the assignment are as
 * expected; the locks it took otherwise are held to the commit, as any lock is.
 */
export interface WindowsAhead {
  groupId: number;
  /** The transaction's time, as {@link lockWindowsStatement} takes it. */
  now: number;
  keys: { topicId: number; partition: number }[];
  read?: { topicId: number; partition: number; max: number };
}

type LockedRow = ShareFlowRowColumns & {
  has_flow: boolean | number;
  topic_id: number;
  partition_id: number;
  start_offset: number;
  end_offset: number;
  log_start: number | null;
  log_end: number | null;
  expired: boolean | number;
  available: boolean | number;
};

/**
 * The statement locking a group's share-partitions' windows in the lock order (topic,
 * partition), each read with its log partition's offsets, whether a lock in it ran out by
 * `now`, whether a record in it is available and the group's flow row. On PostgreSQL the
 * migration's function `shoal_share_lock_windows` (the same SELECT … FOR UPDATE OF, planned
 * once per connection); SQLite runs one write transaction at a time and reads them in one SELECT.
 */
export function lockWindowsStatement(
  kind: Sql['kind'],
  groupId: number,
  keys: { topicId: number; partition: number }[],
  now: number,
): { sql: string; params: unknown[] } {
  if (kind === 'postgres')
    return {
      sql: 'SELECT * FROM shoal_share_lock_windows($1, $2, $3, $4)',
      params: [groupId, now, keys.map((k) => k.topicId), keys.map((k) => k.partition)],
    };
  return {
    sql: `SELECT sp.topic_id, sp.partition_id, sp.start_offset, sp.end_offset, p.start_offset AS log_start, p.end_offset AS log_end,
       EXISTS (SELECT 1 FROM shoal_share_range r WHERE r.group_id = sp.group_id AND r.topic_id = sp.topic_id
         AND r.partition_id = sp.partition_id AND r.state = ${RecordState.Acquired} AND r.lock_expires_at <= $2) AS expired,
       EXISTS (SELECT 1 FROM shoal_share_range r WHERE r.group_id = sp.group_id AND r.topic_id = sp.topic_id
         AND r.partition_id = sp.partition_id AND r.state = ${RecordState.Available} AND (r.available_at IS NULL OR r.available_at <= $2)) AS available,
       f.group_id IS NOT NULL AS has_flow, ${FLOW_COLUMNS.split(', ')
         .map((c) => `f.${c}`)
         .join(', ')}
     FROM shoal_share_partition sp
     LEFT JOIN shoal_partition p ON p.topic_id = sp.topic_id AND p.partition_id = sp.partition_id
     LEFT JOIN shoal_share_group_flow f ON f.group_id = sp.group_id
     WHERE sp.group_id = $1 AND (sp.topic_id, sp.partition_id) IN (VALUES ${keys.map((_, i) => `($${3 + 2 * i}, $${4 + 2 * i})`).join(', ')})
     ORDER BY sp.topic_id, sp.partition_id`,
    params: [groupId, now, ...keys.flatMap((k) => [k.topicId, k.partition])],
  };
}

/** The locked windows by `topicId:partition`, from {@link lockWindowsStatement}'s rows. */
export function toLockedWindows(rows: unknown[]): Map<string, LockedWindow> {
  return new Map(
    (rows as LockedRow[]).map((r) => [
      `${r.topic_id}:${r.partition_id}`,
      {
        window: { startOffset: Number(r.start_offset), endOffset: Number(r.end_offset) },
        log:
          r.log_start === null || r.log_end === null
            ? null
            : { startOffset: Number(r.log_start), endOffset: Number(r.log_end) },
        expired: Boolean(r.expired),
        available: Boolean(r.available),
        flow: r.has_flow ? toFlowRow(r) : null,
      },
    ]),
  );
}

/** PostgreSQL: the statement reading a locked window's {@link NextRecords} (`shoal_share_next_records`). */
export function nextRecordsStatement(
  groupId: number,
  read: NonNullable<WindowsAhead['read']>,
): { sql: string; params: unknown[] } {
  return {
    sql: 'SELECT * FROM shoal_share_next_records($1, $2, $3, $4)',
    params: [groupId, read.topicId, read.partition, read.max],
  };
}

/** Notes the records {@link nextRecordsStatement} read with the window they were read for (absent: not locked). */
export function attachNextRecords(
  locked: Map<string, LockedWindow>,
  read: NonNullable<WindowsAhead['read']>,
  rows: unknown[],
): void {
  const window = locked.get(`${read.topicId}:${read.partition}`);
  if (!window) return;
  const records = new Map<number, StoredRecord>();
  for (const row of rows as StoredRow[]) records.set(Number(row.record_offset), toStoredRecord(row));
  window.next = { window: { ...window.window }, max: read.max, records };
}
