import { expand } from '../../share-groups/domain/record-range.js';
import type { Sql } from '../../storage/database.js';
import { sharePartitionStore } from '../../share-groups/storage/share-partition.store.js';

/** One in-flight record row of a share-partition, as the console shows it. */
export interface InFlightRow {
  offset: number;
  state: number;
  deliveryCount: number;
  memberId: string | null;
  lockExpiresAt: number | null;
  availableAt: number | null;
}

/** Reads for operator tools: group names by page, a share-partition's in-flight rows, redrive marks. */
export const operationsStore = {
  /** Names after `after` in name order, at most `limit`. */
  async groupNames(sql: Sql, kind: 'consumer' | 'share', after: string, limit: number): Promise<string[]> {
    const rows = await sql.rows<{ name: string }>(
      `SELECT name FROM shoal_${kind}_group WHERE name > $1 ORDER BY name LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => r.name);
  },

  /** A share-partition's in-flight records from `fromOffset`, one per offset, at most `limit`. */
  async inFlight(
    sql: Sql,
    groupId: number,
    topicId: number,
    partition: number,
    fromOffset: number,
    limit: number,
  ): Promise<InFlightRow[]> {
    // Each range holds at least one record: `limit` ranges hold at least `limit` records.
    const ranges = await sharePartitionStore.rangesFrom(sql, { groupId, topicId, partition }, fromOffset, limit);
    return expand(ranges, limit, fromOffset);
  },

  /** Of `offsets` of a dead-letter partition, those redriven already. */
  async redriven(sql: Sql, topicId: number, partition: number, offsets: number[]): Promise<Set<number>> {
    if (offsets.length === 0) return new Set();
    const rows = await sql.rows<{ record_offset: number }>(
      `SELECT record_offset FROM shoal_redrive WHERE topic_id = $1 AND partition_id = $2
       AND record_offset IN (${offsets.map((_, i) => `$${i + 3}`).join(', ')})`,
      [topicId, partition, ...offsets],
    );
    return new Set(rows.map((r) => Number(r.record_offset)));
  },

  /** Marks a dead-letter record redriven; false when it already was (so it is not copied again). */
  async markRedriven(sql: Sql, topicId: number, partition: number, offset: number, now: number): Promise<boolean> {
    const changed = await sql.execute(
      `INSERT INTO shoal_redrive (topic_id, partition_id, record_offset, redriven_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (topic_id, partition_id, record_offset) DO NOTHING`,
      [topicId, partition, offset, now],
    );
    return changed > 0;
  },
};
