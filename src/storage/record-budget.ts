import type { Sql } from './database.js';
import { logStore } from './log.store.js';
import type { StoredRecord } from '../domain/log/record.js';

/**
 * Reads at most `maxRecords` records from `fromOffset` whose sizes add up to at most
 * `maxBytes` — but the first one however large (unless `alwaysFirst` is false: the answer already has records), so a reader is never stuck. The sizes
 * are read first, so an answer never loads more record bytes than it may send.
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
  const sizes = await sql.rows<{ size: number }>(
    `SELECT size FROM shoal_record WHERE topic_id = $1 AND partition_id = $2 AND record_offset >= $3
     ORDER BY record_offset LIMIT $4`,
    [topicId, partition, fromOffset, maxRecords],
  );
  let count = 0;
  let bytes = 0;
  for (const { size } of sizes) {
    if ((count > 0 || !alwaysFirst) && bytes + Number(size) > maxBytes) break;
    bytes += Number(size);
    count++;
  }
  return count === 0 ? [] : logStore.read(sql, topicId, partition, fromOffset, count);
}
