import { type KafkaGroup, type KafkaGroupState, type KafkaMember } from '../groups/domain/kafka-group.js';
import type { Sql } from '../../storage/database.js';
import type { GroupSessionStore } from '../../groups/storage/group-session.store.js';
import { valuesList } from '../../storage/sql-dialect.js';

interface GroupRow {
  state: string;
  protocol_type: string | null;
  protocol_name: string | null;
  leader_id: string | null;
  rebalance_deadline: number | null;
  join_not_before: number | null;
}

interface MemberRow {
  member_id: string;
  group_instance_id: string | null;
  client_id: string;
  client_host: string;
  session_timeout_ms: number;
  rebalance_timeout_ms: number;
  protocol_type: string;
  protocols: string;
  pending: number;
  awaiting_join: number;
  generation: number;
  assignment: Buffer | Uint8Array | null;
  expires_at: number;
}

const nullableNumber = (value: number | null) => (value === null ? null : Number(value));
const flag = (value: boolean) => (value ? 1 : 0);

function toMember(r: MemberRow): KafkaMember {
  const protocols = JSON.parse(r.protocols) as { name: string; metadata: string }[];
  return {
    memberId: r.member_id,
    groupInstanceId: r.group_instance_id ?? null,
    clientId: r.client_id,
    clientHost: r.client_host,
    sessionTimeoutMs: Number(r.session_timeout_ms),
    rebalanceTimeoutMs: Number(r.rebalance_timeout_ms),
    protocolType: r.protocol_type,
    protocols: protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata, 'base64') })),
    pending: Number(r.pending) === 1,
    awaitingJoin: Number(r.awaiting_join) === 1,
    generation: Number(r.generation),
    assignment: r.assignment === null ? null : Buffer.from(r.assignment),
    expiresAt: Number(r.expires_at),
  };
}

const MEMBER_COLUMNS = `member_id, client_id, client_host, session_timeout_ms, rebalance_timeout_ms, protocol_type,
  protocols, pending, awaiting_join, generation, assignment, expires_at, group_instance_id`;

/**
 * The Kafka protocol's side of a consumer group (its row and members are keyed by the
 * consumer group's id; the generation, committed offsets and the partitions shown as
 * assigned stay in the consumer-group tables).
 */
export const kafkaGroupStore = {
  async find(sql: Sql, groupId: number): Promise<KafkaGroup | null> {
    const rows = await sql.rows<GroupRow>(
      `SELECT state, protocol_type, protocol_name, leader_id, rebalance_deadline, join_not_before
       FROM shoal_kafka_group WHERE group_id = $1`,
      [groupId],
    );
    if (rows.length === 0) return null;
    const r = rows[0];
    return {
      state: r.state as KafkaGroupState,
      protocolType: r.protocol_type,
      protocolName: r.protocol_name,
      leaderId: r.leader_id,
      rebalanceDeadline: nullableNumber(r.rebalance_deadline),
      joinNotBefore: nullableNumber(r.join_not_before),
    };
  },

  async save(sql: Sql, groupId: number, group: KafkaGroup): Promise<void> {
    await sql.execute(
      `INSERT INTO shoal_kafka_group (group_id, state, protocol_type, protocol_name, leader_id, rebalance_deadline, join_not_before)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (group_id) DO UPDATE SET state = excluded.state, protocol_type = excluded.protocol_type,
         protocol_name = excluded.protocol_name, leader_id = excluded.leader_id,
         rebalance_deadline = excluded.rebalance_deadline, join_not_before = excluded.join_not_before`,
      [
        groupId,
        group.state,
        group.protocolType,
        group.protocolName,
        group.leaderId,
        group.rebalanceDeadline,
        group.joinNotBefore,
      ],
    );
  },

  /** The group is no longer Kafka's (an HTTP member joined it while it had no Kafka member). */
  async forget(sql: Sql, groupId: number): Promise<void> {
    await sql.execute('DELETE FROM shoal_kafka_group WHERE group_id = $1', [groupId]);
  },

  async members(sql: Sql, groupId: number): Promise<KafkaMember[]> {
    const rows = await sql.rows<MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM shoal_kafka_member WHERE group_id = $1 ORDER BY member_id`,
      [groupId],
    );
    return rows.map(toMember);
  },

  async saveMember(sql: Sql, groupId: number, m: KafkaMember): Promise<void> {
    await sql.execute(
      `INSERT INTO shoal_kafka_member (group_id, ${MEMBER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (group_id, member_id) DO UPDATE SET client_id = excluded.client_id, client_host = excluded.client_host,
         session_timeout_ms = excluded.session_timeout_ms, rebalance_timeout_ms = excluded.rebalance_timeout_ms,
         protocol_type = excluded.protocol_type, protocols = excluded.protocols, pending = excluded.pending,
         awaiting_join = excluded.awaiting_join, generation = excluded.generation, assignment = excluded.assignment,
         expires_at = excluded.expires_at, group_instance_id = excluded.group_instance_id`,
      [
        groupId,
        m.memberId,
        m.clientId,
        m.clientHost,
        m.sessionTimeoutMs,
        m.rebalanceTimeoutMs,
        m.protocolType,
        JSON.stringify(m.protocols.map((p) => ({ name: p.name, metadata: p.metadata.toString('base64') }))),
        flag(m.pending),
        flag(m.awaitingJoin),
        m.generation,
        m.assignment,
        m.expiresAt,
        m.groupInstanceId,
      ],
    );
  },

  /** A static member's new id (it rejoined with its instance id): its row and the partitions shown as its own follow. */
  async renameMember(sql: Sql, groupId: number, from: string, to: string): Promise<void> {
    await sql.execute('UPDATE shoal_kafka_member SET member_id = $3 WHERE group_id = $1 AND member_id = $2', [
      groupId,
      from,
      to,
    ]);
    await sql.execute(
      'UPDATE shoal_consumer_partition SET target_member = $3, owner_member = $3 WHERE group_id = $1 AND owner_member = $2',
      [groupId, from, to],
    );
  },

  async touchMember(sql: Sql, groupId: number, memberId: string, expiresAt: number): Promise<void> {
    await sql.execute('UPDATE shoal_kafka_member SET expires_at = $3 WHERE group_id = $1 AND member_id = $2', [
      groupId,
      memberId,
      expiresAt,
    ]);
  },

  async removeMember(sql: Sql, groupId: number, memberId: string): Promise<void> {
    await sql.execute('DELETE FROM shoal_kafka_member WHERE group_id = $1 AND member_id = $2', [groupId, memberId]);
  },

  /** HTTP members of the same consumer group (a group is run by one protocol at a time). */
  async httpMemberCount(sql: Sql, groupId: number): Promise<number> {
    const rows = await sql.rows<{ n: number }>('SELECT COUNT(*) AS n FROM shoal_consumer_member WHERE group_id = $1', [
      groupId,
    ]);
    return Number(rows[0].n);
  },

  /**
   * Shows the generation's assignment as the consumer group's partitions (owner = target =
   * the member), so describe, lag and `/metrics` count every assigned partition.
   */
  async showAssignment(
    sql: Sql,
    groupId: number,
    rows: { topicId: number; partition: number; memberId: string }[],
  ): Promise<void> {
    await sql.execute('DELETE FROM shoal_consumer_partition WHERE group_id = $1', [groupId]);
    for (let at = 0; at < rows.length; at += 1_000) {
      const chunk = rows.slice(at, at + 1_000);
      await sql.execute(
        `INSERT INTO shoal_consumer_partition (group_id, topic_id, partition_id, target_member, owner_member)
         VALUES ${valuesList(chunk.length, 5)} ON CONFLICT (group_id, topic_id, partition_id) DO NOTHING`,
        chunk.flatMap((r) => [groupId, r.topicId, r.partition, r.memberId, r.memberId]),
      );
    }
  },

  /** Every Kafka group's name, for ListGroups, with its state (null: an HTTP consumer group). */
  async groupStates(sql: Sql): Promise<{ name: string; state: string | null; protocolType: string | null }[]> {
    const rows = await sql.rows<{ name: string; state: string | null; protocol_type: string | null }>(
      `SELECT g.name, k.state, k.protocol_type FROM shoal_consumer_group g
       LEFT JOIN shoal_kafka_group k ON k.group_id = g.id ORDER BY g.name`,
    );
    return rows.map((r) => ({ name: r.name, state: r.state, protocolType: r.protocol_type }));
  },
};

/** The session sweep's SQL: expired members not awaiting a join, and rounds past their deadline. */
export const kafkaSessionStore: GroupSessionStore = {
  async groupsWithExpiredMembers(sql, now) {
    const rows = await sql.rows<{ name: string }>(
      `SELECT g.name FROM shoal_consumer_group g WHERE EXISTS (
         SELECT 1 FROM shoal_kafka_member m WHERE m.group_id = g.id AND m.expires_at < $1 AND m.awaiting_join = 0)
       OR EXISTS (SELECT 1 FROM shoal_kafka_group k WHERE k.group_id = g.id AND k.state = 'PreparingRebalance'
         AND (k.rebalance_deadline < $1 OR k.join_not_before < $1))`,
      [now],
    );
    return rows.map((r) => r.name);
  },
  async renewAllSessions(sql, now) {
    await sql.execute(
      `UPDATE shoal_kafka_member SET expires_at = CAST($1 AS BIGINT) + session_timeout_ms
       WHERE expires_at < CAST($1 AS BIGINT) + session_timeout_ms`,
      [now],
    );
  },
};
