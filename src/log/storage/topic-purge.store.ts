import type { Sql } from '../../storage/database.js';
import { recordPacks } from './record-packs.store.js';

/** Deleted topics whose records are removed in the background (`TopicPurger`). */
export const topicPurgeStore = {
  async add(sql: Sql, topicId: number, now: number): Promise<void> {
    await sql.execute('INSERT INTO shoal_topic_purge (topic_id, deleted_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      topicId,
      now,
    ]);
  },

  async pending(sql: Sql): Promise<number[]> {
    const rows = await sql.rows<{ topic_id: number }>('SELECT topic_id FROM shoal_topic_purge ORDER BY topic_id');
    return rows.map((r) => Number(r.topic_id));
  },

  /**
   * Removes up to `limit` of the topic's records (SQLite: whole packs first, see
   * `recordPacks.removeTopic`); answers how many. Keyed by the topic id, so on a database
   * distributed by topic it stays on the topic's shards.
   */
  async removeRecords(sql: Sql, topicId: number, limit: number): Promise<number> {
    const packed = await recordPacks.removeTopic(sql, topicId, limit);
    if (packed >= limit) return packed;
    return (
      packed +
      (await sql.execute(
        `DELETE FROM shoal_record WHERE topic_id = $1 AND (partition_id, record_offset) IN
         (SELECT partition_id, record_offset FROM shoal_record WHERE topic_id = $1 LIMIT $2)`,
        [topicId, limit - packed],
      ))
    );
  },

  async done(sql: Sql, topicId: number): Promise<void> {
    await sql.execute('DELETE FROM shoal_topic_purge WHERE topic_id = $1', [topicId]);
  },
};
