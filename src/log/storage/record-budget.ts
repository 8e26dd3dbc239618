import type { StoredRecord } from '../domain/record.js';
import type { Sql } from '../../storage/database.js';
import { RECORD_SELECT, type StoredRow, toStoredRecord } from './record-columns.js';
import { NO_PACK, type PackRow, packsReadAsRows, recordPacks } from './record-packs.store.js';

/**
 * Reads at most `maxRecords` records from `fromOffset` whose sizes add up to at most
 * `maxBytes` — but the first one however large (unless `alwaysFirst` is false: the answer
 * already has records), so a reader is never stuck. One statement: the running sum of the
 * stored sizes decides how many records are loaded, so an answer never loads more record
 * bytes than it may send. Offsets in a partition are contiguous, so the count is a range.
 */
export async function readWithinBudget(
  sql: Sql,
  topicId: number,
  partition: number,
  fromOffset: number,
  maxRecords: number,
  maxBytes: number,
  alwaysFirst = true,
): Promise<StoredRecord[]> {
  const text = (columns: string) => `SELECT ${columns} FROM shoal_record
     WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3 AND record_offset < $3 + (
       SELECT COUNT(*) FROM (
         SELECT record_offset, SUM(size) OVER (ORDER BY record_offset) AS running FROM shoal_record
         WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3
         ORDER BY record_offset LIMIT $4) sized
       WHERE running <= $5 OR record_offset = $6)
     ORDER BY record_offset`;
  const params = [
    topicId,
    partition,
    fromOffset,
    maxRecords,
    Math.min(maxBytes, Number.MAX_SAFE_INTEGER),
    alwaysFirst ? fromOffset : -1,
  ];
  if (sql.kind === 'postgres') {
    // The packs in range come back with the rows (no round trip of their own while none are):
    // when there are some, they are filed and the rows read again.
    const rows = await sql.rows<StoredRow & Partial<PackRow>>(
      `(${text(RECORD_SELECT + NO_PACK)}) UNION ALL (${packsReadAsRows(7)})`,
      [...params, fromOffset, fromOffset + maxRecords],
    );
    const packs = rows.filter((row): row is StoredRow & PackRow => row.records != null);
    if (packs.length === 0) return rows.map(toStoredRecord);
    await recordPacks.filePacks(sql, topicId, partition, packs);
  } else await recordPacks.file(sql, topicId, partition, fromOffset, fromOffset + maxRecords);
  return (await sql.rows<StoredRow>(text(RECORD_SELECT), params)).map(toStoredRecord);
}
