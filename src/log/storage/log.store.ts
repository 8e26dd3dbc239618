import type { RecordKey, RecordValue, StoredHeaders, StoredRecord } from '../domain/record.js';
import { bytesOrText } from '../domain/record-headers.js';
import { searchFirstAtOrAfter } from '../domain/time-search.js';
import { ATTEMPTS_LIKE, attemptsOf } from '../domain/record-attempts.js';
import type { Sql } from '../../storage/database.js';
import { valuesList } from '../../storage/sql-dialect.js';

/** A partition's row as an append sees it (locked on PostgreSQL). */
export interface PartitionHead {
  topicId: number;
  partition: number;
  endOffset: number;
  maxTimestamp: number;
}

/** One row to insert into the log. */
export interface RecordRow {
  topicId: number;
  partition: number;
  offset: number;
  timestamp: number;
  maxTimestamp: number;
  key: RecordKey;
  value: RecordValue;
  headers: StoredHeaders;
  size: number;
}

const RECORD_COLUMNS = 11;

/** One partition's end moved past an append: new end, max timestamp, added bytes, topic, partition. */
const ADVANCE_HEAD = `UPDATE shoal_partition SET end_offset = $1, max_timestamp = $2, byte_size = byte_size + $3
  WHERE topic_id = $4 AND partition_id = $5`;

export interface StoredRow {
  record_offset: number;
  timestamp: number;
  record_key: string | null;
  key_bytes: Buffer | Uint8Array | null;
  value_json: string | null;
  value_bytes: Buffer | Uint8Array | null;
  headers: string | null;
  size: number;
}

/** The columns a record is read with, in {@link StoredRow}'s names. */
export const RECORD_SELECT = 'record_offset, timestamp, record_key, key_bytes, value_json, value_bytes, headers, size';

/*
 * How a key and a value are kept in columns. A key: `record_key` (text) when its bytes are
 * UTF-8 without a NUL (PostgreSQL text cannot hold one), else `key_bytes` (read back as text
 * when they are UTF-8); both null: no key. A value: `value_json` (JSON text) or `value_bytes`;
 * both null: a tombstone.
 */

export function bufferOf(bytes: Buffer | Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}

/** Whether `key` goes in `record_key` as it is (no key, or text without a NUL). */
export function isTextKey(key: RecordKey): key is string | null {
  return key === null || (typeof key === 'string' && !key.includes('\u0000'));
}

/** The bytes `key_bytes` holds for a key that is not kept as text. */
export function keyBytes(key: string | Buffer): Buffer {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
}

export function keyOfColumns(text: string | null, bytes: Buffer | Uint8Array | null): RecordKey {
  return text ?? (bytes === null ? null : bytesOrText(bufferOf(bytes)!));
}

/** A key as its two columns: [record_key, key_bytes]. */
export function keyColumns(key: RecordKey): [string | null, Buffer | null] {
  return isTextKey(key) ? [key, null] : [null, keyBytes(key)];
}

export function valueOfColumns(json: string | null, bytes: Buffer | Uint8Array | null): RecordValue {
  return json ?? bufferOf(bytes);
}

export function toStoredRecord(r: StoredRow): StoredRecord {
  return {
    offset: Number(r.record_offset),
    timestamp: Number(r.timestamp),
    key: keyOfColumns(r.record_key, r.key_bytes),
    value: valueOfColumns(r.value_json, r.value_bytes),
    headers: r.headers,
    size: Number(r.size),
  };
}

/** `$first, $first+1, …`: placeholders for a list of offsets after the fixed parameters. */
const offsetParams = (count: number, first: number) =>
  Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');

/**
 * PostgreSQL: every row in one statement of one array per column, whatever their number (one
 * round trip, one prepared text, no thousands of parameters to bind).
 */
async function insertUnnest(sql: Sql, rows: RecordRow[]): Promise<void> {
  if (rows.length === 0) return;
  const columns: unknown[][] = Array.from({ length: RECORD_COLUMNS }, () => new Array(rows.length));
  const [topics, partitions, offsets, timestamps, maxTimestamps, keys, keyBytesOf, json, bytes, headers, sizes] =
    columns;
  rows.forEach((row, r) => {
    topics[r] = row.topicId;
    partitions[r] = row.partition;
    offsets[r] = row.offset;
    timestamps[r] = row.timestamp;
    maxTimestamps[r] = row.maxTimestamp;
    const key = row.key;
    const textKey = isTextKey(key);
    keys[r] = textKey ? key : null;
    keyBytesOf[r] = textKey ? null : keyBytes(key);
    json[r] = typeof row.value === 'string' ? row.value : null;
    bytes[r] = row.value === null || typeof row.value === 'string' ? null : row.value;
    headers[r] = row.headers;
    sizes[r] = row.size;
  });
  // Nobody reads its outcome: on PostgreSQL it goes with the heads' move and the COMMIT.
  await sql.later(
    `INSERT INTO shoal_record (topic_id, partition_id, record_offset, timestamp, max_timestamp, record_key, key_bytes, value_json, value_bytes, headers, size)
     SELECT * FROM unnest($1::integer[], $2::integer[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::bytea[],
       $8::text[], $9::bytea[], $10::text[], $11::integer[])`,
    columns,
  );
}

/** Bits of the nullable columns some row of an insert fills. */
export const KEY_TEXT = 1;
export const KEY_BYTES = 2;
export const VALUE_JSON = 4;
export const VALUE_BYTES = 8;
export const HEADERS = 16;
/** Largest multi-row INSERT; smaller statements are powers of two, so few texts are prepared. */
const INSERT_CHUNK = 512;
const insertTexts = new Map<number, string>();

/**
 * The INSERT of `rows` rows binding only the nullable columns some row of a batch fills
 * (`filled`, by bit); the others keep their default, null. A produce of JSON values without
 * keys or headers binds 7 parameters per row instead of 11: ~15 % less CPU per 1,000 rows in
 * better-sqlite3 (a multi-row statement costs less per row than a single-row one run per row:
 * one call into the driver instead of one per row).
 */
function insertText(filled: number, rows: number): string {
  let text = insertTexts.get(filled * 1024 + rows);
  if (text === undefined) {
    const columns = ['topic_id', 'partition_id', 'record_offset', 'timestamp', 'max_timestamp'];
    if (filled & KEY_TEXT) columns.push('record_key');
    if (filled & KEY_BYTES) columns.push('key_bytes');
    if (filled & VALUE_JSON) columns.push('value_json');
    if (filled & VALUE_BYTES) columns.push('value_bytes');
    if (filled & HEADERS) columns.push('headers');
    columns.push('size');
    text = `INSERT INTO shoal_record (${columns.join(', ')}) VALUES ${valuesList(rows, columns.length)}`;
    insertTexts.set(filled * 1024 + rows, text);
  }
  return text;
}

/** Which nullable columns the rows fill (see {@link insertText}). */
export function filledColumns(rows: readonly Pick<RecordRow, 'key' | 'value' | 'headers'>[]): number {
  let filled = 0;
  for (const { key, value, headers } of rows) {
    if (isTextKey(key)) {
      if (key !== null) filled |= KEY_TEXT;
    } else filled |= KEY_BYTES;
    if (typeof value === 'string') filled |= VALUE_JSON;
    else if (value !== null) filled |= VALUE_BYTES;
    if (headers !== null) filled |= HEADERS;
  }
  return filled;
}

/**
 * SQLite: multi-row INSERTs of up to {@link INSERT_CHUNK} rows, binding only the columns some
 * row fills. Rows go in the order given (by partition, in offset order).
 */
async function insertRows(sql: Sql, rows: RecordRow[]): Promise<void> {
  const filled = filledColumns(rows);
  let at = 0;
  while (at < rows.length) {
    let size = INSERT_CHUNK;
    while (size > rows.length - at) size >>= 1;
    const params: unknown[] = [];
    for (let r = at; r < at + size; r++) {
      const row = rows[r];
      params.push(row.topicId, row.partition, row.offset, row.timestamp, row.maxTimestamp);
      const { key, value } = row;
      const textKey = isTextKey(key);
      if (filled & KEY_TEXT) params.push(textKey ? key : null);
      if (filled & KEY_BYTES) params.push(textKey ? null : keyBytes(key));
      if (filled & VALUE_JSON) params.push(typeof value === 'string' ? value : null);
      if (filled & VALUE_BYTES) params.push(value === null || typeof value === 'string' ? null : value);
      if (filled & HEADERS) params.push(row.headers);
      params.push(row.size);
    }
    // Nobody reads its outcome: inside a transaction it goes with the transaction's next request.
    await sql.later(insertText(filled, size), params);
    at += size;
  }
}

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
    return sql.kind === 'postgres' ? insertUnnest(sql, rows) : insertRows(sql, rows);
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
    // Two seeks joined by UNION ALL: `IN (…) OR range` in one WHERE makes SQLite scan the whole
    // partition (EXPLAIN QUERY PLAN), which grows with the log. An offset in both comes twice; the map keeps one.
    const listed =
      offsets.length === 0
        ? ''
        : ` UNION ALL SELECT ${RECORD_SELECT} FROM shoal_record
            WHERE topic_id = $1 AND partition_id = $2 AND record_offset IN (${offsetParams(offsets.length, 5)})`;
    const rows = await sql.rows<StoredRow>(
      `SELECT ${RECORD_SELECT} FROM shoal_record
       WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3 AND record_offset < $4${listed}`,
      [topicId, partition, range.from, range.to, ...offsets],
    );
    const records = new Map<number, StoredRecord>();
    for (const row of rows) records.set(Number(row.record_offset), toStoredRecord(row));
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
    const rows = await sql.rows<{ record_offset: number; headers: string }>(
      `SELECT record_offset, headers FROM shoal_record
       WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3 AND record_offset <= $4 AND headers LIKE $5`,
      [topicId, partition, from, to, ATTEMPTS_LIKE],
    );
    const attempts = new Map<number, number>();
    for (const row of rows) {
      const n = attemptsOf(row.headers);
      if (n !== undefined) attempts.set(Number(row.record_offset), n);
    }
    return attempts;
  },
};
