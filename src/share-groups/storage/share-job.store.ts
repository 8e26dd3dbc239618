import type { Sql } from '../../storage/database.js';
import { valuesList } from '../../storage/sql-dialect.js';
import type { JobNote, JobOutcome } from '../domain/job-notes.js';
import type { SharePartitionKey } from './share-partition.store.js';

export type { JobNote, JobOutcome } from '../domain/job-notes.js';

/** A job's row as read: progress and result still JSON text. */
export interface JobRow {
  progress: string | null;
  result: string | null;
  reason: string | null;
  outcome: JobOutcome | null;
  expiresAt: number | null;
}

/** Rows per statement: 9 parameters each, well within both databases' limits. */
const CHUNK = 500;

/** `shoal_share_job`: per record of a share group, its progress, result, last reason and outcome. */
export const shareJobStore = {
  /** Writes notes on records of one share-partition; null fields keep what the row holds. */
  async note(sql: Sql, key: SharePartitionKey, notes: JobNote[]): Promise<void> {
    for (let i = 0; i < notes.length; i += CHUNK) {
      const chunk = notes.slice(i, i + CHUNK);
      const params: unknown[] = [];
      for (const n of chunk)
        params.push(
          key.groupId,
          key.topicId,
          key.partition,
          n.offset,
          n.progress ?? null,
          n.result ?? null,
          n.reason ?? null,
          n.outcome ?? null,
          n.expiresAt ?? null,
        );
      const keep = (column: string) => `${column} = COALESCE(excluded.${column}, shoal_share_job.${column})`;
      await sql.execute(
        `INSERT INTO shoal_share_job (group_id, topic_id, partition_id, record_offset, progress, result, reason, outcome, expires_at)
         VALUES ${valuesList(chunk.length, 9)}
         ON CONFLICT (group_id, topic_id, partition_id, record_offset) DO UPDATE
           SET ${['progress', 'result', 'reason', 'outcome', 'expires_at'].map(keep).join(', ')}`,
        params,
      );
    }
  },

  /** The row of one record, if it has one and it has not expired by `now`. */
  async find(sql: Sql, key: SharePartitionKey, offset: number, now: number): Promise<JobRow | null> {
    const rows = await sql.rows<{
      progress: string | null;
      result: string | null;
      reason: string | null;
      outcome: JobOutcome | null;
      expires_at: number | string | null;
    }>(
      `SELECT progress, result, reason, outcome, expires_at FROM shoal_share_job
       WHERE group_id = $1 AND topic_id = $2 AND partition_id = $3 AND record_offset = $4`,
      [key.groupId, key.topicId, key.partition, offset],
    );
    const r = rows[0];
    if (!r) return null;
    const expiresAt = r.expires_at === null ? null : Number(r.expires_at);
    if (expiresAt !== null && expiresAt <= now) return null;
    return { progress: r.progress, result: r.result, reason: r.reason, outcome: r.outcome, expiresAt };
  },

  /**
   * Deletes rows that expired by `now`, and rows of jobs that finished while the group kept no
   * results (no expiry, below their share-partition's start, or of a share-partition that is
   * gone); answers how many.
   */
  async sweep(sql: Sql, now: number): Promise<number> {
    const expired = await sql.execute('DELETE FROM shoal_share_job WHERE expires_at <= $1', [now]);
    const passed = await sql.execute(
      `DELETE FROM shoal_share_job WHERE expires_at IS NULL AND NOT EXISTS (
         SELECT 1 FROM shoal_share_partition p
         WHERE p.group_id = shoal_share_job.group_id AND p.topic_id = shoal_share_job.topic_id
           AND p.partition_id = shoal_share_job.partition_id AND p.start_offset <= shoal_share_job.record_offset)`,
    );
    return expired + passed;
  },
};
