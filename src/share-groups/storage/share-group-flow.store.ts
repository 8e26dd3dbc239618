import type { ShareFlowSettings, TokenBucket } from '../domain/share-flow.js';
import type { Sql } from '../../storage/database.js';

export interface ShareFlowRow extends ShareFlowSettings, TokenBucket {}

export interface ShareFlowRowColumns {
  topic_priority: string | null;
  lower_priority_share: number;
  max_records_per_second: number | null;
  tokens: number;
  refilled_at: number;
}

export const FLOW_COLUMNS = 'topic_priority, lower_priority_share, max_records_per_second, tokens, refilled_at';

export function toFlowRow(r: ShareFlowRowColumns): ShareFlowRow {
  return {
    topicPriority: r.topic_priority === null ? null : (JSON.parse(r.topic_priority) as string[]),
    lowerPriorityShare: Number(r.lower_priority_share),
    maxRecordsPerSecond: r.max_records_per_second === null ? null : Number(r.max_records_per_second),
    tokens: Number(r.tokens),
    refilledAt: Number(r.refilled_at),
  };
}

/** A share group's flow settings and its rate limit's token bucket (one row per group that has any). */
export const shareGroupFlowStore = {
  /** `lock`: on PostgreSQL the row is locked, so fetches on every broker take tokens one at a time. */
  async find(sql: Sql, groupId: number, lock = false): Promise<ShareFlowRow | null> {
    const suffix = lock && sql.kind === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await sql.rows<ShareFlowRowColumns>(
      `SELECT ${FLOW_COLUMNS} FROM shoal_share_group_flow WHERE group_id = $1${suffix}`,
      [groupId],
    );
    return rows.length === 0 ? null : toFlowRow(rows[0]);
  },

  async save(sql: Sql, groupId: number, row: ShareFlowRow): Promise<void> {
    await sql.execute('DELETE FROM shoal_share_group_flow WHERE group_id = $1', [groupId]);
    await sql.execute(
      `INSERT INTO shoal_share_group_flow (group_id, topic_priority, lower_priority_share, max_records_per_second, tokens, refilled_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        groupId,
        row.topicPriority === null ? null : JSON.stringify(row.topicPriority),
        row.lowerPriorityShare,
        row.maxRecordsPerSecond,
        row.tokens,
        row.refilledAt,
      ],
    );
  },

  async saveBucket(sql: Sql, groupId: number, bucket: TokenBucket): Promise<void> {
    await sql.execute('UPDATE shoal_share_group_flow SET tokens = $2, refilled_at = $3 WHERE group_id = $1', [
      groupId,
      bucket.tokens,
      bucket.refilledAt,
    ]);
  },
};
