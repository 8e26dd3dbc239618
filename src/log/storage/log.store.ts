import type { StoredRecord } from '../domain/record.js';
import { searchFirstAtOrAfter } from '../domain/time-search.js';
import { ATTEMPTS_LIKE, attemptsOf } from '../domain/record-attempts.js';
import type { Sql } from '../../storage/database.js';
import { valuesList } from '../../storage/sql-dialect.js';
import { RECORD_SELECT, type StoredRow, toStoredRecord } from './record-columns.js';
import { insertRecords, type RecordRow } from './record-insert.js';
import { NO_PACK, PACK_MIN, type PackRow, packsReadAsRows, recordPacks, storedOfRow } from './record-packs.store.js';

export * from './record-columns.js';
export * from './record-insert.js';

/** A partition's row as an append sees it (locked on PostgreSQL). */
export interface PartitionHead {
  topicId: number;
  partition: number;
  endOffset: number;
  maxTimestamp: number;
}

/** One partition's end moved past an append: new end, max timestamp, added bytes, topic, partition. */
const ADVANCE_HEAD = `UPDATE shoal_partition SET end_offset = $1, max_timestamp = $2, byte_size = byte_size + $3
  WHERE topic_id = $4 AND partition_id = $5`;

/** `$first, $first+1, …`: placeholders for a list of offsets after the fixed parameters. */
const offsetParams = (count: number, first: number) =>
  Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');

/** The records of the log: append, read by offset, find by time, trim. */
export const logStore = {
  /** Reads (and on PostgreSQL locks, in a fixed order) the partition rows an append will extend. */
  async lockHeads(sql: Sql, keys: { topicId: number; partition: number }[]): Promise<PartitionHead[]> {
    const params: number[] = [];
    for (const k of keys) params.push(k.topicId, k.partition);
    const lock = sql.kind === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await sql.rows<{ topic_id: number; partition_id: number; end_offset: number; max_timestamp: number }>(
      `SELECT topic_id, partition_id, end_offset, max_timestamp FROM shoal_partition
       WHERE (topic_id, partition_id) IN (VALUES ${valuesList(keys.length, 2, 'INTEGER')})
       ORDER BY topic_id, partition_id${lock}`,
      params,
    );
    return rows.map((r) => ({
      topicId: Number(r.topic_id),
      partition: Number(r.partition_id),
      endOffset: Number(r.end_offset),
      maxTimestamp: Number(r.max_timestamp),
    }));
  },

  async insert(sql: Sql, rows: RecordRow[]): Promise<void> {
    return insertRecords(sql, rows);
  },

  /**
   * Inserts an append's rows, one list per partition in offset order. A partition's rows
   * numbering at least {@link PACK_MIN} go in as one pack (see `record-packs.store.ts`).
   * Answers whether it stored a pack.
   */
  async append(sql: Sql, partitions: RecordRow[][]): Promise<boolean> {
    const packed = partitions.filter((rows) => rows.length >= PACK_MIN);
    if (packed.length === 0) {
      await insertRecords(sql, partitions.flat());
      return false;
    }
    if (packed.length < partitions.length)
      await insertRecords(sql, partitions.filter((rows) => rows.length < PACK_MIN).flat());
    await recordPacks.insert(sql, packed);
    return true;
  },

  /** Moves the partitions' ends past what was appended: every partition in one statement (SQLite: one request). */
  async advanceHeads(sql: Sql, heads: [PartitionHead, number][]): Promise<void> {
    if (heads.length === 1) return this.advanceHead(sql, heads[0][0], heads[0][1]);
    if (sql.kind !== 'postgres') {
      const params: number[] = [];
      for (const [head, addedBytes] of heads)
        params.push(head.endOffset, head.maxTimestamp, addedBytes, head.topicId, head.partition);
      await sql.executeEach(ADVANCE_HEAD, params, 5);
      return;
    }
    await sql.later(
      `UPDATE shoal_partition p SET end_offset = h.end_offset, max_timestamp = h.max_timestamp, byte_size = p.byte_size + h.added
       FROM unnest($1::integer[], $2::integer[], $3::bigint[], $4::bigint[], $5::bigint[])
         AS h (topic_id, partition_id, end_offset, max_timestamp, added)
       WHERE p.topic_id = h.topic_id AND p.partition_id = h.partition_id`,
      [
        heads.map(([h]) => h.topicId),
        heads.map(([h]) => h.partition),
        heads.map(([h]) => h.endOffset),
        heads.map(([h]) => h.maxTimestamp),
        heads.map(([, added]) => added),
      ],
    );
  },

  async advanceHead(sql: Sql, head: PartitionHead, addedBytes: number): Promise<void> {
    await sql.later(ADVANCE_HEAD, [head.endOffset, head.maxTimestamp, addedBytes, head.topicId, head.partition]);
  },

  async read(sql: Sql, topicId: number, partition: number, fromOffset: number, limit: number): Promise<StoredRecord[]> {
    await recordPacks.file(sql, topicId, partition, fromOffset, fromOffset + limit);
    const rows = await sql.rows<StoredRow>(
      `SELECT ${RECORD_SELECT} FROM shoal_record
       WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3
       ORDER BY record_offset LIMIT $4`,
      [topicId, partition, fromOffset, limit],
    );
    return rows.map(toStoredRecord);
  },

  /** The first offset in [from, to) whose timestamp is at or after `timestamp`; `to` when none is. */
  firstOffsetAtOrAfter(
    sql: Sql,
    topicId: number,
    partition: number,
    from: number,
    to: number,
    timestamp: number,
  ): Promise<number> {
    return searchFirstAtOrAfter(from, to, timestamp, async (offset) => {
      await recordPacks.file(sql, topicId, partition, offset, offset + 1);
      const rows = await sql.rows<{ max_timestamp: number }>(
        'SELECT max_timestamp FROM shoal_record WHERE topic_id = $1 AND partition_id = $2 AND record_offset = $3',
        [topicId, partition, offset],
      );
      return rows.length === 0 ? null : Number(rows[0].max_timestamp);
    });
  },

  /** Offsets and sizes from `fromOffset` on, oldest first: what byte retention walks. */
  async sizesFrom(
    sql: Sql,
    topicId: number,
    partition: number,
    fromOffset: number,
    limit: number,
  ): Promise<{ offset: number; size: number }[]> {
    await recordPacks.file(sql, topicId, partition, fromOffset, fromOffset + limit);
    const rows = await sql.rows<{ record_offset: number; size: number }>(
      `SELECT record_offset, size FROM shoal_record
       WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3
       ORDER BY record_offset LIMIT $4`,
      [topicId, partition, fromOffset, limit],
    );
    return rows.map((r) => ({ offset: Number(r.record_offset), size: Number(r.size) }));
  },

  /**
   * The stored records at `offsets` and in the range [from, to), by offset, in one statement:
   * what a share fetch weighs its candidates by (their sizes) and hands out, read once.
   */
  async recordsOf(
    sql: Sql,
    topicId: number,
    partition: number,
    offsets: number[],
    range: { from: number; to: number },
  ): Promise<Map<number, StoredRecord>> {
    let low = range.from;
    let high = range.to;
    for (const offset of offsets) {
      if (offset < low) low = offset;
      if (offset >= high) high = offset + 1;
    }
    // Records still packed are read from their packs (not filed: see recordPacks.readThrough).
    // The listed offsets as a set only once a pack is decoded (most fetches find none).
    let listedSet: Set<number> | undefined;
    const wanted = (offset: number) =>
      (offset >= range.from && offset < range.to) || (listedSet ??= new Set(offsets)).has(offset);
    const postgres = sql.kind === 'postgres';
    const packed = postgres ? [] : await recordPacks.readThrough(sql, topicId, partition, low, high, wanted);
    // Two seeks joined by UNION ALL: `IN (…) OR range` in one WHERE makes SQLite scan the whole
    // partition (EXPLAIN QUERY PLAN), which grows with the log. An offset in both comes twice; the map keeps one.
    const listed =
      offsets.length === 0
        ? ''
        : ` UNION ALL SELECT ${RECORD_SELECT}${postgres ? NO_PACK : ''} FROM shoal_record
            WHERE topic_id = $1 AND partition_id = $2 AND record_offset IN (${offsetParams(offsets.length, 5)})`;
    // PostgreSQL: the packs in the same statement (one round trip, one snapshot: a record is a row or in a pack).
    const packs = postgres ? ` UNION ALL ${packsReadAsRows(5 + offsets.length)}` : '';
    const rows = await sql.rows<StoredRow & Partial<PackRow>>(
      `SELECT ${RECORD_SELECT}${postgres ? NO_PACK : ''} FROM shoal_record
       WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3 AND record_offset < $4${listed}${packs}`,
      [topicId, partition, range.from, range.to, ...offsets, ...(postgres ? [low, high] : [])],
    );
    const records = new Map<number, StoredRecord>();
    const found: PackRow[] = [];
    for (const row of rows) {
      if (row.records) found.push(row as PackRow);
      else records.set(Number(row.record_offset), toStoredRecord(row));
    }
    for (const row of postgres ? recordPacks.decodeRead(topicId, partition, found, wanted) : packed)
      records.set(row.offset, storedOfRow(row));
    return records;
  },

  /** Locks the partition row and answers its window and stored bytes. */
  async lockWindow(
    sql: Sql,
    topicId: number,
    partition: number,
  ): Promise<{ startOffset: number; endOffset: number; byteSize: number } | null> {
    const lock = sql.kind === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await sql.rows<{ start_offset: number; end_offset: number; byte_size: number }>(
      `SELECT start_offset, end_offset, byte_size FROM shoal_partition WHERE topic_id = $1 AND partition_id = $2${lock}`,
      [topicId, partition],
    );
    if (rows.length === 0) return null;
    return {
      startOffset: Number(rows[0].start_offset),
      endOffset: Number(rows[0].end_offset),
      byteSize: Number(rows[0].byte_size),
    };
  },

  /** Deletes the records below `newStart` and moves the partition's start offset there. */
  async truncateBefore(
    sql: Sql,
    topicId: number,
    partition: number,
    oldStart: number,
    newStart: number,
  ): Promise<void> {
    await recordPacks.file(sql, topicId, partition, oldStart, newStart);
    const sums = await sql.rows<{ total: number | null }>(
      `SELECT SUM(size) AS total FROM shoal_record
       WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3 AND record_offset < $4`,
      [topicId, partition, oldStart, newStart],
    );
    const removed = Number(sums[0]?.total ?? 0);
    await sql.execute(
      'DELETE FROM shoal_record WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3 AND record_offset < $4',
      [topicId, partition, oldStart, newStart],
    );
    await sql.execute(
      'UPDATE shoal_partition SET start_offset = $3, byte_size = byte_size - $4 WHERE topic_id = $1 AND partition_id = $2',
      [topicId, partition, newStart, removed],
    );
  },

  /**
   * The records in [from, to] whose headers carry a valid `shoal.attempts`, by offset: what a
   * release needs to apply per-record attempts. The `LIKE` keeps the rows read to those records.
   */
  async attemptsBetween(
    sql: Sql,
    topicId: number,
    partition: number,
    from: number,
    to: number,
  ): Promise<Map<number, number>> {
    const text = (pack: string) => `SELECT record_offset, headers${pack} FROM shoal_record
       WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3 AND record_offset <= $4 AND headers LIKE $5`;
    const params = [topicId, partition, from, to, ATTEMPTS_LIKE];
    type Row = { record_offset: number; headers: string };
    let rows: Row[] | undefined;
    if (sql.kind === 'postgres') {
      // The packs in range come with the rows (see readWithinBudget); when there are some, filed and read again.
      const found = await sql.rows<Row & Partial<PackRow>>(
        `(${text(NO_PACK)}) UNION ALL (${packsReadAsRows(6, 'NULL::bigint, NULL::text')})`,
        [...params, from, to + 1],
      );
      const packs = found.filter((row): row is Row & PackRow => row.records != null);
      if (packs.length === 0) rows = found;
      else await recordPacks.filePacks(sql, topicId, partition, packs);
    } else await recordPacks.file(sql, topicId, partition, from, to + 1);
    rows ??= await sql.rows<Row>(text(''), params);
    const attempts = new Map<number, number>();
    for (const row of rows) {
      const n = attemptsOf(row.headers);
      if (n !== undefined) attempts.set(Number(row.record_offset), n);
    }
    return attempts;
  },
};
