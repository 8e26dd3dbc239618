import type { Sql } from '../../storage/database.js';

/**
 * How far the groups reading a partition have got, for retention (issue 27): a share-partition's
 * `start_offset` is its first unfinished record (everything below is acknowledged or archived),
 * a consumer group's committed offset the next record it will read. Both tables are indexed by
 * `(topic_id, partition_id)`.
 */
export const readerFloorStore = {
  /** The lowest start offset of the share groups that have opened the partition; null when none has. */
  async shareStart(sql: Sql, topicId: number, partition: number): Promise<number | null> {
    const rows = await sql.rows<{ floor: number | null }>(
      'SELECT MIN(start_offset) AS floor FROM shoal_share_partition WHERE topic_id = $1 AND partition_id = $2',
      [topicId, partition],
    );
    return rows[0]?.floor === null || rows[0]?.floor === undefined ? null : Number(rows[0].floor);
  },

  /**
   * The offset below which every group reading the partition has finished: the lowest of the
   * share groups' start offsets and the consumer groups' committed offsets. Null when no group
   * reads it (then nothing counts as finished).
   */
  async finishedBefore(sql: Sql, topicId: number, partition: number): Promise<number | null> {
    const rows = await sql.rows<{ floor: number | null }>(
      `SELECT MIN(floor) AS floor FROM (
         SELECT MIN(start_offset) AS floor FROM shoal_share_partition WHERE topic_id = $1 AND partition_id = $2
         UNION ALL
         SELECT MIN(committed_offset) AS floor FROM shoal_consumer_offset WHERE topic_id = $1 AND partition_id = $2
       ) AS readers`,
      [topicId, partition],
    );
    return rows[0]?.floor === null || rows[0]?.floor === undefined ? null : Number(rows[0].floor);
  },
};
