import type { ConsumerGroup, ConsumerMember, GroupPartition } from '../domain/consumer-group.js';
import type { Sql } from '../../storage/database.js';
import { groupSessionStore } from '../../groups/storage/group-session.store.js';
import { valuesList } from '../../storage/sql-dialect.js';

interface GroupRow {
  id: number;
  name: string;
  generation: number;
  subscription_size: number;
}

interface MemberRow {
  member_id: string;
  topics: string;
  session_timeout_ms: number;
  auto_offset_reset: string;
  answered_generation: number;
  expires_at: number;
}

interface PartitionRow {
  topic_id: number;
  partition_id: number;
  target_member: string | null;
  owner_member: string | null;
  position: number | null;
}

const toGroup = (r: GroupRow): ConsumerGroup => ({
  id: Number(r.id),
  name: r.name,
  generation: Number(r.generation),
  subscriptionSize: Number(r.subscription_size),
});

/** Consumer groups, their members, their partitions' owners and positions, and committed offsets. */
export const consumerGroupStore = {
  ...groupSessionStore('consumer'),

  /** `forUpdate` locks the group's row on PostgreSQL: one change to a group at a time. */
  async find(sql: Sql, name: string, forUpdate = false): Promise<ConsumerGroup | null> {
    const lock = forUpdate && sql.kind === 'postgres' ? ' FOR UPDATE' : '';
    const rows = await sql.rows<GroupRow>(
      `SELECT id, name, generation, subscription_size FROM shoal_consumer_group WHERE name = $1${lock}`,
      [name],
    );
    return rows.length === 0 ? null : toGroup(rows[0]);
  },

  async create(sql: Sql, name: string, now: number): Promise<void> {
    await sql.execute(
      'INSERT INTO shoal_consumer_group (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, now],
    );
  },

  async update(sql: Sql, group: ConsumerGroup): Promise<void> {
    await sql.execute('UPDATE shoal_consumer_group SET generation = $2, subscription_size = $3 WHERE id = $1', [
      group.id,
      group.generation,
      group.subscriptionSize,
    ]);
  },

  async delete(sql: Sql, groupId: number): Promise<void> {
    for (const table of ['shoal_consumer_offset', 'shoal_consumer_partition', 'shoal_consumer_member']) {
      await sql.execute(`DELETE FROM ${table} WHERE group_id = $1`, [groupId]);
    }
    await sql.execute('DELETE FROM shoal_consumer_group WHERE id = $1', [groupId]);
  },

  async members(sql: Sql, groupId: number): Promise<ConsumerMember[]> {
    const rows = await sql.rows<MemberRow>(
      `SELECT member_id, topics, session_timeout_ms, auto_offset_reset, answered_generation, expires_at
       FROM shoal_consumer_member WHERE group_id = $1 ORDER BY member_id`,
      [groupId],
    );
    return rows.map((r) => ({
      memberId: r.member_id,
      topics: JSON.parse(r.topics) as string[],
      sessionTimeoutMs: Number(r.session_timeout_ms),
      autoOffsetReset: r.auto_offset_reset as ConsumerMember['autoOffsetReset'],
      answeredGeneration: Number(r.answered_generation),
      expiresAt: Number(r.expires_at),
    }));
  },

  async insertMember(sql: Sql, groupId: number, member: ConsumerMember): Promise<void> {
    await sql.execute(
      `INSERT INTO shoal_consumer_member (group_id, member_id, topics, session_timeout_ms, auto_offset_reset, answered_generation, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        groupId,
        member.memberId,
        JSON.stringify(member.topics),
        member.sessionTimeoutMs,
        member.autoOffsetReset,
        member.answeredGeneration,
        member.expiresAt,
      ],
    );
  },

  async touchMember(
    sql: Sql,
    groupId: number,
    memberId: string,
    answeredGeneration: number,
    expiresAt: number,
  ): Promise<void> {
    await sql.later(
      'UPDATE shoal_consumer_member SET answered_generation = $3, expires_at = $4 WHERE group_id = $1 AND member_id = $2',
      [groupId, memberId, answeredGeneration, expiresAt],
    );
  },

  /** Removes members and gives up what they held. */
  async removeMembers(sql: Sql, groupId: number, memberIds: string[]): Promise<void> {
    for (const memberId of memberIds) {
      await sql.execute('DELETE FROM shoal_consumer_member WHERE group_id = $1 AND member_id = $2', [
        groupId,
        memberId,
      ]);
      await sql.execute(
        'UPDATE shoal_consumer_partition SET owner_member = NULL, position = NULL WHERE group_id = $1 AND owner_member = $2',
        [groupId, memberId],
      );
    }
  },

  async partitions(sql: Sql, groupId: number): Promise<GroupPartition[]> {
    const rows = await sql.rows<PartitionRow>(
      `SELECT topic_id, partition_id, target_member, owner_member, position FROM shoal_consumer_partition
       WHERE group_id = $1 ORDER BY topic_id, partition_id`,
      [groupId],
    );
    return rows.map((r) => ({
      topicId: Number(r.topic_id),
      partition: Number(r.partition_id),
      target: r.target_member,
      owner: r.owner_member,
      position: r.position === null ? null : Number(r.position),
    }));
  },

  async insertPartitions(
    sql: Sql,
    groupId: number,
    rows: { topicId: number; partition: number; target: string }[],
  ): Promise<void> {
    for (let at = 0; at < rows.length; at += 1_000) {
      const chunk = rows.slice(at, at + 1_000);
      const params = chunk.flatMap((r) => [groupId, r.topicId, r.partition, r.target]);
      await sql.execute(
        `INSERT INTO shoal_consumer_partition (group_id, topic_id, partition_id, target_member) VALUES ${valuesList(chunk.length, 4)}`,
        params,
      );
    }
  },

  async setTarget(sql: Sql, groupId: number, topicId: number, partition: number, target: string | null): Promise<void> {
    await sql.execute(
      'UPDATE shoal_consumer_partition SET target_member = $4 WHERE group_id = $1 AND topic_id = $2 AND partition_id = $3',
      [groupId, topicId, partition, target],
    );
  },

  /** Drops partitions nobody wants and nobody holds. */
  async pruneIdle(sql: Sql, groupId: number): Promise<void> {
    await sql.execute(
      'DELETE FROM shoal_consumer_partition WHERE group_id = $1 AND target_member IS NULL AND owner_member IS NULL',
      [groupId],
    );
  },

  /**
   * The member's answer is about to be sent: what it holds but should not is revoked (this
   * answer omits it), and what it should hold and nobody holds is taken.
   */
  async reconcile(sql: Sql, groupId: number, memberId: string): Promise<void> {
    // Nobody reads their outcome: they go with the transaction's next statement where the session can.
    await sql.later(
      `UPDATE shoal_consumer_partition SET owner_member = NULL, position = NULL
       WHERE group_id = $1 AND owner_member = $2 AND (target_member IS NULL OR target_member <> $2)`,
      [groupId, memberId],
    );
    await sql.later(
      'UPDATE shoal_consumer_partition SET owner_member = $2, position = NULL WHERE group_id = $1 AND target_member = $2 AND owner_member IS NULL',
      [groupId, memberId],
    );
  },

  async setPosition(sql: Sql, groupId: number, topicId: number, partition: number, position: number): Promise<void> {
    await sql.later(
      'UPDATE shoal_consumer_partition SET position = $4 WHERE group_id = $1 AND topic_id = $2 AND partition_id = $3',
      [groupId, topicId, partition, position],
    );
  },

  async committedOffsets(sql: Sql, groupId: number): Promise<Map<string, number>> {
    const rows = await sql.rows<{ topic_id: number; partition_id: number; committed_offset: number }>(
      'SELECT topic_id, partition_id, committed_offset FROM shoal_consumer_offset WHERE group_id = $1',
      [groupId],
    );
    return new Map(rows.map((r) => [`${r.topic_id}:${r.partition_id}`, Number(r.committed_offset)]));
  },

  /** Committed offsets with their metadata (null: committed without one), keyed `topicId:partition`. */
  async committedWithMetadata(
    sql: Sql,
    groupId: number,
  ): Promise<Map<string, { offset: number; metadata: string | null }>> {
    const rows = await sql.rows<{
      topic_id: number;
      partition_id: number;
      committed_offset: number;
      committed_metadata: string | null;
    }>(
      'SELECT topic_id, partition_id, committed_offset, committed_metadata FROM shoal_consumer_offset WHERE group_id = $1',
      [groupId],
    );
    return new Map(
      rows.map((r) => [
        `${r.topic_id}:${r.partition_id}`,
        { offset: Number(r.committed_offset), metadata: r.committed_metadata },
      ]),
    );
  },

  /** Each commit replaces the partition's offset and its metadata (none given: NULL). */
  async commit(
    sql: Sql,
    groupId: number,
    offsets: { topicId: number; partition: number; offset: number; metadata?: string | null }[],
  ): Promise<void> {
    for (let at = 0; at < offsets.length; at += 1_000) {
      const chunk = offsets.slice(at, at + 1_000);
      await sql.execute(
        `INSERT INTO shoal_consumer_offset (group_id, topic_id, partition_id, committed_offset, committed_metadata)
         VALUES ${valuesList(chunk.length, 5)}
         ON CONFLICT (group_id, topic_id, partition_id) DO UPDATE SET committed_offset = excluded.committed_offset,
           committed_metadata = excluded.committed_metadata`,
        chunk.flatMap((o) => [groupId, o.topicId, o.partition, o.offset, o.metadata ?? null]),
      );
    }
  },
};
