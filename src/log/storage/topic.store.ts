import type { TopicConfig } from '@shoal/protocol';
import type { PartitionWindow, Topic } from '../domain/topic.js';
import type { Sql } from '../../storage/database.js';
import { valuesList } from '../../storage/sql-dialect.js';

/** A `shoal_topic` row as read (or as `row_to_json` writes it). */
export interface TopicRow {
  id: number;
  name: string;
  partition_count: number;
  retention_ms: number | null;
  retention_bytes: number | null;
  idempotency_window_ms: number | null;
  retention_respects_share_groups: number | null;
  completed_max_age_ms: number | null;
  completed_max_count: number | null;
  delete_after_idle_ms: number | null;
}

const TOPIC_COLUMNS =
  'id, name, partition_count, retention_ms, retention_bytes, idempotency_window_ms, ' +
  'retention_respects_share_groups, completed_max_age_ms, completed_max_count, delete_after_idle_ms';

export function toTopic(row: TopicRow): Topic {
  const topic: Topic = {
    id: Number(row.id),
    name: row.name,
    partitionCount: Number(row.partition_count),
    config: {
      retentionMs: row.retention_ms === null ? null : Number(row.retention_ms),
      retentionBytes: row.retention_bytes === null ? null : Number(row.retention_bytes),
    },
  };
  if (row.idempotency_window_ms !== null) topic.config.idempotencyWindowMs = Number(row.idempotency_window_ms);
  if (row.retention_respects_share_groups !== null)
    topic.config.retentionRespectsShareGroups = Number(row.retention_respects_share_groups) !== 0;
  if (row.completed_max_age_ms !== null) topic.config.completedMaxAgeMs = Number(row.completed_max_age_ms);
  if (row.completed_max_count !== null) topic.config.completedMaxCount = Number(row.completed_max_count);
  if (row.delete_after_idle_ms !== null) topic.config.deleteAfterIdleMs = Number(row.delete_after_idle_ms);
  return topic;
}

/** The optional settings' column values, in the column order of the INSERT and UPDATE below. */
function optionalParams(config: TopicConfig): (number | null)[] {
  const respects = config.retentionRespectsShareGroups;
  return [
    config.idempotencyWindowMs ?? null,
    respects === undefined || respects === null ? null : respects ? 1 : 0,
    config.completedMaxAgeMs ?? null,
    config.completedMaxCount ?? null,
    config.deleteAfterIdleMs ?? null,
  ];
}

/** Topics and their partition rows. */
export const topicStore = {
  /** `forUpdate` locks the row on PostgreSQL, so concurrent changes to one topic go one at a time. */
  async findByName(sql: Sql, name: string, forUpdate = false): Promise<Topic | null> {
    const lock = forUpdate && sql.kind === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await sql.rows<TopicRow>(`SELECT ${TOPIC_COLUMNS} FROM shoal_topic WHERE name = $1${lock}`, [name]);
    return rows.length === 0 ? null : toTopic(rows[0]);
  },

  async findByNames(sql: Sql, names: string[]): Promise<Topic[]> {
    const placeholders = names.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await sql.rows<TopicRow>(
      `SELECT ${TOPIC_COLUMNS} FROM shoal_topic WHERE name IN (${placeholders})`,
      names,
    );
    return rows.map(toTopic);
  },

  async findByIds(sql: Sql, ids: number[]): Promise<Topic[]> {
    const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await sql.rows<TopicRow>(
      `SELECT ${TOPIC_COLUMNS} FROM shoal_topic WHERE id IN (${placeholders})`,
      ids,
    );
    return rows.map(toTopic);
  },

  async list(sql: Sql): Promise<Topic[]> {
    const rows = await sql.rows<TopicRow>(`SELECT ${TOPIC_COLUMNS} FROM shoal_topic ORDER BY name`);
    return rows.map(toTopic);
  },

  /** Topics with a retention or completed-cleanup rule, for the retention sweep. */
  async listWithRetention(sql: Sql): Promise<Topic[]> {
    const rows = await sql.rows<TopicRow>(
      `SELECT ${TOPIC_COLUMNS} FROM shoal_topic WHERE retention_ms IS NOT NULL OR retention_bytes IS NOT NULL
         OR completed_max_age_ms IS NOT NULL OR completed_max_count IS NOT NULL`,
    );
    return rows.map(toTopic);
  },

  /** Inserts the topic and its partitions; answers null when the name is taken. */
  async insert(
    sql: Sql,
    name: string,
    partitionCount: number,
    config: TopicConfig,
    now: number,
  ): Promise<Topic | null> {
    const inserted = await sql.rows<TopicRow>(
      `INSERT INTO shoal_topic (name, partition_count, retention_ms, retention_bytes, created_at, idempotency_window_ms,
         retention_respects_share_groups, completed_max_age_ms, completed_max_count, delete_after_idle_ms, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $5) ON CONFLICT (name) DO NOTHING RETURNING ${TOPIC_COLUMNS}`,
      [name, partitionCount, config.retentionMs, config.retentionBytes, now, ...optionalParams(config)],
    );
    if (inserted.length === 0) return null;
    const topic = toTopic(inserted[0]);
    await this.addPartitions(sql, topic.id, 0, partitionCount);
    return topic;
  },

  async addPartitions(sql: Sql, topicId: number, from: number, to: number): Promise<void> {
    const chunk = 5_000;
    for (let start = from; start < to; start += chunk) {
      const end = Math.min(to, start + chunk);
      const params: number[] = [];
      for (let p = start; p < end; p++) params.push(topicId, p);
      await sql.execute(
        `INSERT INTO shoal_partition (topic_id, partition_id) VALUES ${valuesList(end - start, 2)}`,
        params,
      );
    }
  },

  /** Writes the topic's settings; a change counts as a use (`now`), so a new idle rule starts counting from it. */
  async update(sql: Sql, topic: Topic, now: number): Promise<void> {
    await sql.execute(
      `UPDATE shoal_topic SET partition_count = $2, retention_ms = $3, retention_bytes = $4, idempotency_window_ms = $5,
         retention_respects_share_groups = $6, completed_max_age_ms = $7, completed_max_count = $8,
         delete_after_idle_ms = $9, last_used_at = $10 WHERE id = $1`,
      [
        topic.id,
        topic.partitionCount,
        topic.config.retentionMs,
        topic.config.retentionBytes,
        ...optionalParams(topic.config),
        now,
      ],
    );
  },

  /** Notes uses (topic id → time): a time only ever moves forward. */
  async noteUses(sql: Sql, uses: [topicId: number, at: number][]): Promise<void> {
    for (const [topicId, at] of uses)
      await sql.execute(
        'UPDATE shoal_topic SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
        [topicId, at],
      );
  },

  /**
   * Names of the topics whose `deleteAfterIdleMs` passed since their last noted use (or their
   * creation) as of `now`, and that no consumer group or share group keeps state for; only
   * `name` when given.
   */
  async listIdle(sql: Sql, now: number, name?: string): Promise<string[]> {
    const rows = await sql.rows<{ name: string }>(
      `SELECT t.name FROM shoal_topic t
        WHERE t.delete_after_idle_ms IS NOT NULL
          AND COALESCE(t.last_used_at, t.created_at) + t.delete_after_idle_ms <= $1
          AND NOT EXISTS (SELECT 1 FROM shoal_share_partition s WHERE s.topic_id = t.id)
          AND NOT EXISTS (SELECT 1 FROM shoal_consumer_offset c WHERE c.topic_id = t.id)
          ${name === undefined ? '' : 'AND t.name = $2'}`,
      name === undefined ? [now] : [now, name],
    );
    return rows.map((r) => r.name);
  },

  /** The topic and its partitions; its records are left for `topicPurgeStore` to remove in chunks. */
  async delete(sql: Sql, topicId: number): Promise<void> {
    // Partitions first: on PostgreSQL that waits for appends holding their rows, and no later
    // append finds them, so no record is added after the purge is noted.
    await sql.execute('DELETE FROM shoal_partition WHERE topic_id = $1', [topicId]);
    await sql.execute('DELETE FROM shoal_topic WHERE id = $1', [topicId]);
  },

  async partitions(sql: Sql, topicId: number): Promise<PartitionWindow[]> {
    const rows = await sql.rows<{ partition_id: number; start_offset: number; end_offset: number }>(
      'SELECT partition_id, start_offset, end_offset FROM shoal_partition WHERE topic_id = $1 ORDER BY partition_id',
      [topicId],
    );
    return rows.map((r) => ({
      partition: Number(r.partition_id),
      startOffset: Number(r.start_offset),
      endOffset: Number(r.end_offset),
    }));
  },

  async partition(sql: Sql, topicId: number, partition: number): Promise<PartitionWindow | null> {
    const rows = await sql.rows<{ start_offset: number; end_offset: number }>(
      'SELECT start_offset, end_offset FROM shoal_partition WHERE topic_id = $1 AND partition_id = $2',
      [topicId, partition],
    );
    return rows.length === 0
      ? null
      : { partition, startOffset: Number(rows[0].start_offset), endOffset: Number(rows[0].end_offset) };
  },
};
