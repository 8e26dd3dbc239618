import type { StoredRecord } from '../domain/record.js';
import type { Sql } from '../../storage/database.js';
import { PgBinaryArray } from '../../storage/pg-binary-array.js';
import { isTextKey, keyBytes, keyColumns, keyOfColumns } from './record-columns.js';
import { decodePack, encodePack, packHeadSql, packTimestampAt } from './record-pack-codec.js';
import { insertRows, type RecordRow } from './record-insert.js';

/**
 * Packed appends. A produce that adds at least {@link PACK_MIN} records to a partition stores
 * them as ONE row of `shoal_record_pack` instead of one `shoal_record` row per record, in the
 * same transaction (the heads move as before): one B-tree row instead of hundreds (on
 * PostgreSQL also in the one-statement append, append-alone.store.ts). Before a read of a
 * partition's rows its packs in the range read are "filed" — taken apart and inserted into `shoal_record` row by row, the pack deleted, atomically (SQLite: a
 * savepoint; PostgreSQL: one statement that inserts the rows of the packs it deleted, so that of
 * two brokers filing one pack only one inserts it) — so every reader sees exactly the rows a
 * row-by-row append would have written. `PackFiler` files whatever is left in the background
 * while no produce runs. A share fetch ({@link recordPacks.readThrough}; on PostgreSQL in the
 * statement that reads its rows, `log.store.ts`) and the metrics ({@link recordTimestampSql})
 * read packs as they are.
 */
export const PACK_MIN = 64;

/** Packs filed per background step: about a millisecond of the connection at a time. */
export const FILE_STEP_PACKS = 1;

/** The packs of one partition that hold an offset in [from, to): the one holding `from`, and those starting before `to`. */
const PACKS_IN_RANGE = `SELECT base_offset FROM shoal_record_pack
  WHERE topic_id = $1 AND partition_id = $2 AND base_offset < $4 AND base_offset >= COALESCE(
    (SELECT MAX(base_offset) FROM shoal_record_pack WHERE topic_id = $1 AND partition_id = $2 AND base_offset <= $3), $3)`;

/** The same packs with their blobs. */
const PACKS_IN_RANGE_READ = PACKS_IN_RANGE.replace('SELECT base_offset FROM', 'SELECT base_offset, records FROM');

/** PostgreSQL: a record row's pack columns, none (see {@link packsReadAsRows}). */
export const NO_PACK = ', NULL::bigint AS base_offset, NULL::bytea AS records';

/** The columns of RECORD_SELECT (record-columns.ts), typed, all null. */
const RECORD_NULLS =
  'NULL::bigint, NULL::bigint, NULL::text, NULL::bytea, NULL::text, NULL::bytea, NULL::text, NULL::integer';

/**
 * PostgreSQL: the packs of partition `$1`/`$2` holding offsets in [`$low`, `$low+1`) (as
 * PACKS_IN_RANGE_READ) shaped as rows of the read's columns (`nulls`: each typed, null) with
 * {@link NO_PACK}'s filled: to follow a read of records with `UNION ALL`.
 */
export function packsReadAsRows(low: number, nulls = RECORD_NULLS): string {
  return PACKS_IN_RANGE_READ.replace(
    'SELECT base_offset, records FROM',
    `SELECT ${nulls}, base_offset, records FROM`,
  ).replace(/\$([34])\b/g, (_, n: string) => `$${low + Number(n) - 3}`);
}

/** A pack as read: its base offset and its blob. */
export interface PackRow {
  base_offset: number;
  records: Buffer | Uint8Array;
}

/**
 * Reads served from packs without filing them (a share fetch's records, see
 * {@link recordPacks.readThrough}); `PackFiler` leaves packs alone while this count moves.
 */
export const packReads = { count: 0 };

/** A packed row as a read of its columns would give it. */
export function storedOfRow(row: RecordRow): StoredRecord {
  const [text, bytes] = keyColumns(row.key);
  return {
    offset: row.offset,
    timestamp: row.timestamp,
    key: keyOfColumns(text, bytes),
    value: row.value,
    headers: row.headers,
    size: row.size,
  };
}

/** What {@link recordTimestampSql}'s columns give. */
export interface RecordTimestampColumns {
  ts: number | null;
  pack_base: number | null;
  pack_head: Buffer | Uint8Array | null;
}

/**
 * A query's join and columns for the timestamp of the record at `offset` (SQL expressions) of a
 * partition, read where it lies: its row, or the first bytes of the pack holding it
 * (one primary-key seek; nothing filed, so a read of many partitions costs the same whatever is
 * packed). {@link recordTimestampOf} takes the columns apart.
 */
export function recordTimestampSql(
  topic: string,
  partition: string,
  offset: string,
): { columns: string; joins: string } {
  const row = `LEFT JOIN shoal_record r ON r.topic_id = ${topic} AND r.partition_id = ${partition} AND r.record_offset = ${offset}`;
  return {
    columns: `r.timestamp AS ts, rp.base_offset AS pack_base,
      CASE WHEN r.timestamp IS NULL THEN ${packHeadSql('rp.records', 'rp.base_offset', offset)} END AS pack_head`,
    joins: `${row}
      LEFT JOIN shoal_record_pack rp ON rp.topic_id = ${topic} AND rp.partition_id = ${partition} AND rp.last_offset >= ${offset}
        AND rp.base_offset = (SELECT MAX(base_offset) FROM shoal_record_pack
          WHERE topic_id = ${topic} AND partition_id = ${partition} AND base_offset <= ${offset})`,
  };
}

/** The timestamp {@link recordTimestampSql}'s columns give for the record at `offset`; null when there is none. */
export function recordTimestampOf(row: RecordTimestampColumns, offset: number): number | null {
  if (row.ts !== null) return Number(row.ts);
  if (row.pack_head === null || row.pack_base === null) return null;
  return packTimestampAt(row.pack_head, offset - Number(row.pack_base));
}

export const recordPacks = {
  /** Stores each partition's rows (offset order, one partition per list) as one pack. */
  async insert(sql: Sql, partitions: RecordRow[][]): Promise<void> {
    const firsts = partitions.map((rows) => rows[0]);
    const blobs = partitions.map((rows) => encodePack(rows));
    if (sql.kind === 'postgres') {
      // One statement for every pack; nobody reads its outcome (it goes ahead of the transaction's next one).
      await sql.later(
        `INSERT INTO shoal_record_pack (topic_id, partition_id, base_offset, last_offset, records)
         SELECT * FROM unnest($1::integer[], $2::integer[], $3::bigint[], $4::bigint[], $5::bytea[])`,
        [
          firsts.map((row) => row.topicId),
          firsts.map((row) => row.partition),
          firsts.map((row) => row.offset),
          partitions.map((rows) => rows[rows.length - 1].offset),
          PgBinaryArray.of('bytea', blobs),
        ],
      );
      return;
    }
    const params: unknown[] = [];
    partitions.forEach((rows, i) =>
      params.push(firsts[i].topicId, firsts[i].partition, firsts[i].offset, rows[rows.length - 1].offset, blobs[i]),
    );
    await sql.executeEach(
      'INSERT INTO shoal_record_pack (topic_id, partition_id, base_offset, last_offset, records) VALUES ($1, $2, $3, $4, $5)',
      params,
      5,
    );
  },

  /**
   * Files the partition's packs holding offsets in [from, to) (see {@link recordPacks}): what
   * every reader of `shoal_record` calls first. When nothing is packed there, one cheap
   * read-only seek (none on PostgreSQL).
   */
  async file(sql: Sql, topicId: number, partition: number, from: number, to: number): Promise<void> {
    if (from >= to) return;
    if (sql.kind === 'postgres') {
      const packs = await sql.rows<PackRow>(PACKS_IN_RANGE_READ, [topicId, partition, from, to]);
      if (packs.length > 0) await filePg(sql, topicId, partition, packs);
      return;
    }
    const found = await sql.rows<{ base_offset: number }>(PACKS_IN_RANGE, [topicId, partition, from, to]);
    if (found.length === 0) return;
    let low = Infinity;
    let high = -Infinity;
    for (const { base_offset } of found) {
      low = Math.min(low, Number(base_offset));
      high = Math.max(high, Number(base_offset));
    }
    await fileBetween(sql, topicId, partition, low, high);
  },

  /**
   * The `wanted` records of the partition's packs holding offsets in [low, high), decoded and
   * left packed: what a share fetch reads its candidates with, so that a drain right after a
   * large enqueue does not pay for filing on its way (the packs are filed once nobody reads
   * them: `PackFiler`). They are exactly the records filing would insert (the same decode).
   */
  async readThrough(
    sql: Sql,
    topicId: number,
    partition: number,
    low: number,
    high: number,
    wanted: (offset: number) => boolean,
  ): Promise<RecordRow[]> {
    if (low >= high) return [];
    const found = await sql.rows<PackRow>(PACKS_IN_RANGE_READ, [topicId, partition, low, high]);
    return this.decodeRead(topicId, partition, found, wanted);
  },

  /** PostgreSQL: files `packs` of the partition as a read found them (see filePg). */
  filePacks(sql: Sql, topicId: number, partition: number, packs: PackRow[]): Promise<void> {
    return filePg(sql, topicId, partition, packs);
  },

  /** {@link readThrough}'s decoding of the packs a read found (PostgreSQL reads them with the rows: log.store.ts). */
  decodeRead(topicId: number, partition: number, found: PackRow[], wanted: (offset: number) => boolean): RecordRow[] {
    if (found.length === 0) return [];
    packReads.count++;
    const rows: RecordRow[] = [];
    for (const pack of found)
      for (const row of decodePack(topicId, partition, Number(pack.base_offset), pack.records, wanted)) rows.push(row);
    return rows;
  },

  /**
   * Files up to `limit` packs, oldest partitions' first, each partition's in one savepoint;
   * answers how many packs were filed (0: none left).
   */
  async fileSome(sql: Sql, limit: number): Promise<number> {
    // PostgreSQL: packs another broker is filing are left to it.
    const found = await sql.rows<{ topic_id: number; partition_id: number; base_offset: number }>(
      `SELECT topic_id, partition_id, base_offset FROM shoal_record_pack ORDER BY topic_id, partition_id, base_offset LIMIT $1${
        sql.kind === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''
      }`,
      [limit],
    );
    const ranges = new Map<string, { topicId: number; partition: number; low: number; high: number }>();
    for (const row of found) {
      const key = `${row.topic_id}:${row.partition_id}`;
      const offset = Number(row.base_offset);
      const range = ranges.get(key);
      if (range) range.high = offset;
      else
        ranges.set(key, {
          topicId: Number(row.topic_id),
          partition: Number(row.partition_id),
          low: offset,
          high: offset,
        });
    }
    for (const { topicId, partition, low, high } of ranges.values())
      await fileBetween(sql, topicId, partition, low, high);
    return found.length;
  },

  /**
   * Removes whole packs of a deleted topic holding at most `limit` records in all; answers how
   * many records went. When the next pack does not fit in what is left of `limit`, it is filed,
   * so that its rows can go one by one (a chunk removes exactly `limit` records while enough are left).
   */
  async removeTopic(sql: Sql, topicId: number, limit: number): Promise<number> {
    const found = await sql.rows<{ partition_id: number; base_offset: number; last_offset: number }>(
      'SELECT partition_id, base_offset, last_offset FROM shoal_record_pack WHERE topic_id = $1 LIMIT $2',
      [topicId, Math.min(limit, 1_000)],
    );
    const gone: number[] = [];
    let removed = 0;
    for (const pack of found) {
      const count = Number(pack.last_offset) - Number(pack.base_offset) + 1;
      if (removed + count > limit) {
        if (removed < limit) await fileBetween(sql, topicId, pack.partition_id, pack.base_offset, pack.base_offset);
        break;
      }
      gone.push(topicId, pack.partition_id, pack.base_offset);
      removed += count;
    }
    if (gone.length > 0)
      await sql.executeEach(
        'DELETE FROM shoal_record_pack WHERE topic_id = $1 AND partition_id = $2 AND base_offset = $3',
        gone,
        3,
      );
    return removed;
  },
};

/**
 * Files the packs whose base offsets lie in [low, high] in one savepoint (inside a caller's
 * transaction it is part of it; outside, a transaction of its own): the packs deleted (their
 * blobs returned by the same statement, so what is inserted is exactly what went), their rows inserted.
 */
async function fileBetween(sql: Sql, topicId: number, partition: number, low: number, high: number): Promise<void> {
  if (sql.kind === 'postgres') {
    const packs = await sql.rows<PackRow>(
      `SELECT base_offset, records FROM shoal_record_pack WHERE topic_id = $1 AND partition_id = $2 AND base_offset >= $3 AND base_offset <= $4`,
      [topicId, partition, low, high],
    );
    if (packs.length > 0) await filePg(sql, topicId, partition, packs);
    return;
  }
  await sql.execute('SAVEPOINT shoal_file_packs');
  try {
    const packs = await sql.rows<{ base_offset: number; records: Buffer | Uint8Array }>(
      `DELETE FROM shoal_record_pack WHERE topic_id = $1 AND partition_id = $2 AND base_offset >= $3 AND base_offset <= $4
       RETURNING base_offset, records`,
      [topicId, partition, low, high],
    );
    packs.sort((a, b) => Number(a.base_offset) - Number(b.base_offset));
    const rows: RecordRow[] = [];
    for (const pack of packs)
      for (const row of decodePack(topicId, partition, Number(pack.base_offset), pack.records)) rows.push(row);
    if (rows.length > 0) await insertRows(sql, rows);
    await sql.execute('RELEASE shoal_file_packs');
  } catch (error) {
    await sql.execute('ROLLBACK TO shoal_file_packs').catch(() => undefined);
    await sql.execute('RELEASE shoal_file_packs').catch(() => undefined);
    throw error;
  }
}

/**
 * PostgreSQL: deletes the partition's `packs` (as read before) and inserts the rows of those it
 * deleted, in one statement — atomic inside a transaction or outside one. A pack another broker
 * filed meanwhile is no longer there to delete (its DELETE waited for that broker's commit), so
 * its rows are not inserted twice.
 */
async function filePg(sql: Sql, topicId: number, partition: number, packs: PackRow[]): Promise<void> {
  const bases: number[] = [];
  const rows: FiledRow[] = [];
  for (const pack of packs) {
    const base = Number(pack.base_offset);
    bases.push(base);
    for (const row of decodePack(topicId, partition, base, pack.records)) rows.push({ ...row, base });
  }
  await sql.execute(
    `WITH gone AS (
       DELETE FROM shoal_record_pack WHERE topic_id = $1 AND partition_id = $2 AND base_offset = ANY($3::bigint[])
       RETURNING base_offset)
     INSERT INTO shoal_record (topic_id, partition_id, record_offset, timestamp, max_timestamp, record_key, key_bytes,
       value_json, value_bytes, headers, size)
     SELECT $1, $2, r.record_offset, r.timestamp, r.max_timestamp, r.record_key, r.key_bytes, r.value_json, r.value_bytes,
       r.headers, r.size
     FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::bytea[], $10::text[], $11::bytea[],
       $12::text[], $13::integer[])
       AS r (base, record_offset, timestamp, max_timestamp, record_key, key_bytes, value_json, value_bytes, headers, size)
     WHERE r.base IN (SELECT base_offset FROM gone)`,
    [topicId, partition, bases, ...FILED_COLUMNS.map(([type, of]) => PgBinaryArray.of(type, rows.map(of)))],
  );
}

/** A row filed from a pack, with the pack's base offset. */
type FiledRow = RecordRow & { base: number };

/** {@link filePg}'s arrays after the topic, partition and bases: element type and value of a row (binary form). */
const FILED_COLUMNS: [Parameters<typeof PgBinaryArray.of>[0], (row: FiledRow) => number | string | Buffer | null][] = [
  ['int8', (row) => row.base],
  ['int8', (row) => row.offset],
  ['int8', (row) => row.timestamp],
  ['int8', (row) => row.maxTimestamp],
  ['text', ({ key }) => (isTextKey(key) ? key : null)],
  ['bytea', ({ key }) => (isTextKey(key) ? null : keyBytes(key))],
  ['text', ({ value }) => (typeof value === 'string' ? value : null)],
  ['bytea', ({ value }) => (value === null || typeof value === 'string' ? null : value)],
  ['text', (row) => row.headers],
  ['int4', (row) => row.size],
];
