import type { AppendRecord } from '../domain/record.js';
import type { Sql } from '../../storage/database.js';
import { PgBinaryArray } from '../../storage/pg-binary-array.js';
import { CHANGE_CHANNEL } from '../../storage/pg-change-relay.js';
import {
  filledColumns,
  HEADERS,
  isTextKey,
  KEY_BYTES,
  KEY_TEXT,
  keyBytes,
  VALUE_BYTES,
  VALUE_JSON,
} from './log.store.js';
import { encodePack } from './record-pack-codec.js';
import { PACK_MIN } from './record-packs.store.js';

/** The records an append adds to one partition, in offset order, with the topic's partition count it was placed by. */
export interface HeadRecords {
  topicId: number;
  partition: number;
  partitionCount: number;
  records: AppendRecord[];
  bytes: number;
}

/** A partition's end before the append, and its topic's idle-expiry setting, as the statement locked them. */
export interface HeadBefore {
  topicId: number;
  partition: number;
  endOffset: number;
  maxTimestamp: number;
  deleteAfterIdleMs: number | null;
}

/** The nullable columns a record may fill: bit, column, array type, and the value of a record. */
const OPTIONAL: [number, string, 'text' | 'bytea', (record: AppendRecord) => string | Buffer | null][] = [
  [KEY_TEXT, 'record_key', 'text', ({ key }) => (isTextKey(key) ? key : null)],
  [KEY_BYTES, 'key_bytes', 'bytea', ({ key }) => (isTextKey(key) ? null : keyBytes(key))],
  [VALUE_JSON, 'value_json', 'text', ({ value }) => (typeof value === 'string' ? value : null)],
  [VALUE_BYTES, 'value_bytes', 'bytea', ({ value }) => (value === null || typeof value === 'string' ? null : value)],
  [HEADERS, 'headers', 'text', ({ headers }) => headers],
];

const texts = new Map<number, string>();

/**
 * The append as one statement (`filled`: the optional columns bound, by bit). It locks the
 * partition rows in key order (as every append does) checking that each topic still has the
 * partition count its records were placed by, inserts the rows with their offsets counted from
 * the locked ends, and moves the ends — all only when every partition was found as expected
 * (else it writes nothing), and, when asked (the boolean after the columns), that no API key exists (see
 * security/deferred-auth.ts). It answers the ends before the append and whether a key exists.
 * Each record array holds the rows of every unpacked partition end to end, in the order of the
 * partition arrays. A partition given a pack (`k.pack`, see record-packs.store.ts) gets that one
 * row of `shoal_record_pack` instead, from its end on: its records are stamped `$7` through and
 * through (timestamp and max timestamp), so only while its max timestamp is not later (else the
 * statement writes nothing and answers `packable` false); `packing` false: no partition is
 * given one, and the statement has no pack parts. Given a payload (the last parameter), it
 * NOTIFYs it as it commits (the other brokers' wake-up: see ChangeSignal.relayPayload).
 */
function statementText(filled: number, packing: boolean): string {
  const key = filled * 2 + (packing ? 1 : 0);
  let text = texts.get(key);
  if (text !== undefined) return text;
  const columns = OPTIONAL.filter(([bit]) => filled & bit);
  const arrays = columns.map(([, , type], i) => `$${9 + i}::${type}[]`).join(', ');
  const names = columns.map(([, name]) => name);
  // An append with nothing to pack (a small one) leaves the pack parts out.
  const packs = packing ? `, $${10 + columns.length}::bytea[]` : '';
  const notify = `$${(packing ? 11 : 10) + columns.length}::text`;
  text = `WITH h AS (
    SELECT p.topic_id, p.partition_id, p.end_offset, p.max_timestamp, k.first_row, k.row_count, k.bytes,
      ${packing ? 'k.pack' : 'NULL::bytea AS pack'}, t.delete_after_idle_ms
    FROM unnest($1::integer[], $2::integer[], $3::integer[], $4::integer[], $5::integer[], $6::bigint[]${packs})
      AS k (topic_id, partition_id, partition_count, first_row, row_count, bytes${packing ? ', pack' : ''})
    JOIN shoal_topic t ON t.id = k.topic_id AND t.partition_count = k.partition_count
    JOIN shoal_partition p ON p.topic_id = k.topic_id AND p.partition_id = k.partition_id
    ORDER BY p.topic_id, p.partition_id
    FOR UPDATE OF p
  ), seen AS (
    SELECT count(*) = cardinality($1::integer[]) AS complete, EXISTS (SELECT 1 FROM shoal_api_key) AS keyed,
      ${packing ? 'COALESCE(bool_and(h.pack IS NULL OR h.max_timestamp <= $7::bigint), TRUE)' : 'TRUE'} AS packable FROM h
  ), whole AS (
    SELECT complete AND packable AND NOT (keyed AND $${9 + columns.length}::boolean) AS ok FROM seen
  ), r AS (
    SELECT * FROM unnest($8::integer[], ${arrays}) WITH ORDINALITY AS r (size, ${names.join(', ')}, n)
  ), ins AS (
    INSERT INTO shoal_record (topic_id, partition_id, record_offset, timestamp, max_timestamp, size, ${names.join(', ')})
    SELECT h.topic_id, h.partition_id, h.end_offset + r.n - h.first_row - 1, $7::bigint, GREATEST(h.max_timestamp, $7::bigint),
      r.size, ${names.map((name) => `r.${name}`).join(', ')}
    FROM h JOIN r ON h.pack IS NULL AND r.n > h.first_row AND r.n <= h.first_row + h.row_count
    WHERE (SELECT ok FROM whole)
  ),${
    packing
      ? ` packed AS (
    INSERT INTO shoal_record_pack (topic_id, partition_id, base_offset, last_offset, records)
    SELECT h.topic_id, h.partition_id, h.end_offset, h.end_offset + h.row_count - 1, h.pack
    FROM h WHERE h.pack IS NOT NULL AND (SELECT ok FROM whole)
  ),`
      : ''
  } notified AS MATERIALIZED (
    SELECT pg_notify('${CHANGE_CHANNEL}', ${notify}) FROM whole WHERE ok AND ${notify} IS NOT NULL
  ), moved AS (
    UPDATE shoal_partition p SET end_offset = h.end_offset + h.row_count,
      max_timestamp = GREATEST(h.max_timestamp, $7::bigint), byte_size = p.byte_size + h.bytes
    FROM h WHERE p.topic_id = h.topic_id AND p.partition_id = h.partition_id AND (SELECT ok FROM whole)
  )
  SELECT topic_id, partition_id, end_offset, max_timestamp, delete_after_idle_ms, keyed, packable,
    (SELECT count(*) FROM notified) AS notified FROM h, seen`;
  texts.set(key, text);
  return text;
}

/** What {@link appendAlone} did: the ends before it, and whether it stored a pack. */
export interface AppendedAlone {
  before: HeadBefore[];
  packed: boolean;
}

/**
 * PostgreSQL: an append of records all stamped `timestamp` in one statement that is a
 * transaction of its own ({@link Sql.alone}: one round trip, no BEGIN or COMMIT of its own).
 * A partition given at least {@link PACK_MIN} records gets them as one pack (record-packs.store.ts)
 * unless `pack` is false. `notify`: a payload to NOTIFY on the change channel as it commits. Null when a partition was not found as expected (a topic deleted, or
 * given more partitions, since it was read); `'keyed'` when `ifNoKeys` and an API key exists:
 * nothing was written.
 */
export async function appendAlone(
  sql: Sql,
  heads: HeadRecords[],
  timestamp: number,
  ifNoKeys: boolean,
  notify: string | undefined,
  pack = true,
): Promise<AppendedAlone | null | 'keyed'> {
  // Nothing to append (a batch of empty requests): the usual way answers it.
  if (heads.length === 0) return null;
  const packs = heads.map((head) =>
    pack && head.records.length >= PACK_MIN ? encodePack(head.records, timestamp) : null,
  );
  const packing = packs.some((p) => p !== null);
  const unpacked = heads.filter((_, i) => packs[i] === null);
  const records = unpacked.flatMap((head) => head.records);
  // Every row needs at least one optional column for the text (a record with none: a tombstone, value_json null).
  const filled = filledColumns(records) || VALUE_JSON;
  // The rows' arrays in binary form: no quoting and escaping of every JSON value (see PgBinaryArray).
  const optional = OPTIONAL.filter(([bit]) => filled & bit).map(([, , type, of]) =>
    PgBinaryArray.of(type, records.map(of)),
  );
  let first = 0;
  const firsts = heads.map((head, i) => (packs[i] === null ? (first += head.records.length) - head.records.length : 0));
  const rows = await sql.alone<{
    topic_id: number;
    partition_id: number;
    end_offset: number;
    max_timestamp: number;
    delete_after_idle_ms: number | null;
    keyed: boolean;
    packable: boolean;
  }>(statementText(filled, packing), [
    heads.map((head) => head.topicId),
    heads.map((head) => head.partition),
    heads.map((head) => head.partitionCount),
    firsts,
    heads.map((head) => head.records.length),
    heads.map((head) => head.bytes),
    timestamp,
    PgBinaryArray.of(
      'int4',
      records.map((record) => record.size),
    ),
    ...optional,
    ifNoKeys,
    ...(packing ? [PgBinaryArray.of('bytea', packs)] : []),
    notify ?? null,
  ]);
  if (rows.length !== heads.length) return null;
  if (ifNoKeys && rows[0].keyed) return 'keyed';
  // A packed partition's max timestamp is later than the stamp (another broker's clock ahead): rows instead.
  if (!rows[0].packable) return appendAlone(sql, heads, timestamp, ifNoKeys, notify, false);
  return {
    packed: packing,
    before: rows.map((row) => ({
      topicId: Number(row.topic_id),
      partition: Number(row.partition_id),
      endOffset: Number(row.end_offset),
      maxTimestamp: Number(row.max_timestamp),
      deleteAfterIdleMs: row.delete_after_idle_ms === null ? null : Number(row.delete_after_idle_ms),
    })),
  };
}
