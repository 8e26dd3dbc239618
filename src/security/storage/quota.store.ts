import type { Sql } from '../../storage/database.js';

/** The counts quotas are checked against. */
export const quotaStore = {
  async topicTotals(sql: Sql): Promise<{ topics: number; partitions: number }> {
    const rows = await sql.rows<{ topics: number; partitions: number | null }>(
      'SELECT COUNT(*) AS topics, SUM(partition_count) AS partitions FROM shoal_topic',
    );
    return { topics: Number(rows[0].topics), partitions: Number(rows[0].partitions ?? 0) };
  },

  /** Whether a group of `name` exists (of either kind), and how many groups there are. */
  async groups(sql: Sql, name: string): Promise<{ exists: boolean; count: number }> {
    const rows = await sql.rows<{ count: number; named: number }>(
      `SELECT COUNT(*) AS count, SUM(CASE WHEN name = $1 THEN 1 ELSE 0 END) AS named FROM (
         SELECT name FROM shoal_consumer_group UNION ALL SELECT name FROM shoal_share_group) g`,
      [name],
    );
    return { exists: Number(rows[0].named ?? 0) > 0, count: Number(rows[0].count) };
  },
};
