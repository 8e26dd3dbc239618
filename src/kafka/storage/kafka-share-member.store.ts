import type { TopicPartition } from '@shoal/protocol';
import type { Sql } from '../../storage/database.js';

/** A share-group member that joined through Kafka, with its member epoch and its share session. */
export interface KafkaShareMemberRow {
  group: string;
  kafkaMemberId: string;
  /** The Shoal member it is (`<public>.<secret>`). */
  memberId: string;
  memberEpoch: number;
  previousEpoch: number;
  topics: string[];
  /** The assignment `memberEpoch` stands for, as `topic:partition` keys in order. */
  assignment: string[];
  clientId: string | null;
  /** The principal that joined it (SASL/PLAIN), null without API keys. */
  principal: string | null;
  /** The session epoch the next request must carry; null when no share session is open. */
  sessionEpoch: number | null;
  /** The partitions the session fetches from. */
  sessionPartitions: TopicPartition[];
}

interface Row {
  group_name: string;
  kafka_member_id: string;
  member_id: string;
  member_epoch: number;
  previous_epoch: number;
  topics: string;
  assignment: string;
  client_id: string | null;
  principal: string | null;
  session_epoch: number | null;
  session_partitions: string | null;
}

const COLUMNS =
  'group_name, kafka_member_id, member_id, member_epoch, previous_epoch, topics, assignment, client_id, principal, session_epoch, session_partitions';

function toMember(r: Row): KafkaShareMemberRow {
  return {
    group: r.group_name,
    kafkaMemberId: r.kafka_member_id,
    memberId: r.member_id,
    memberEpoch: Number(r.member_epoch),
    previousEpoch: Number(r.previous_epoch),
    topics: JSON.parse(r.topics) as string[],
    assignment: JSON.parse(r.assignment) as string[],
    clientId: r.client_id,
    principal: r.principal,
    sessionEpoch: r.session_epoch === null ? null : Number(r.session_epoch),
    sessionPartitions: r.session_partitions === null ? [] : (JSON.parse(r.session_partitions) as TopicPartition[]),
  };
}

/** Kafka share-group members: one row each, updated with compare-and-set on the epochs. */
export const kafkaShareMemberStore = {
  async find(sql: Sql, group: string, kafkaMemberId: string): Promise<KafkaShareMemberRow | null> {
    const rows = await sql.rows<Row>(
      `SELECT ${COLUMNS} FROM shoal_kafka_share_member WHERE group_name = $1 AND kafka_member_id = $2`,
      [group, kafkaMemberId],
    );
    return rows.length === 0 ? null : toMember(rows[0]);
  },

  async inGroup(sql: Sql, group: string): Promise<KafkaShareMemberRow[]> {
    const rows = await sql.rows<Row>(
      `SELECT ${COLUMNS} FROM shoal_kafka_share_member WHERE group_name = $1 ORDER BY kafka_member_id`,
      [group],
    );
    return rows.map(toMember);
  },

  /** Inserts the member, replacing a row of the same Kafka member id. */
  async put(sql: Sql, m: KafkaShareMemberRow): Promise<void> {
    await sql.execute('DELETE FROM shoal_kafka_share_member WHERE group_name = $1 AND kafka_member_id = $2', [
      m.group,
      m.kafkaMemberId,
    ]);
    await sql.execute(
      `INSERT INTO shoal_kafka_share_member (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        m.group,
        m.kafkaMemberId,
        m.memberId,
        m.memberEpoch,
        m.previousEpoch,
        JSON.stringify(m.topics),
        JSON.stringify(m.assignment),
        m.clientId,
        m.principal,
        m.sessionEpoch,
        m.sessionEpoch === null ? null : JSON.stringify(m.sessionPartitions),
      ],
    );
  },

  /** Moves the member epoch on; false when another request moved it first. */
  async bumpEpoch(sql: Sql, m: KafkaShareMemberRow, assignment: string[]): Promise<boolean> {
    const changed = await sql.execute(
      `UPDATE shoal_kafka_share_member SET member_epoch = $4, previous_epoch = $3, assignment = $5
       WHERE group_name = $1 AND kafka_member_id = $2 AND member_epoch = $3`,
      [m.group, m.kafkaMemberId, m.memberEpoch, m.memberEpoch + 1, JSON.stringify(assignment)],
    );
    return changed > 0;
  },

  /**
   * Sets the share session (null: closed) if its epoch is still `expected` (null: any);
   * false when another request moved it first.
   */
  async setSession(
    sql: Sql,
    group: string,
    kafkaMemberId: string,
    expected: number | null,
    next: { epoch: number; partitions: TopicPartition[] } | null,
  ): Promise<boolean> {
    const guard = expected === null ? '' : ' AND session_epoch = $5';
    const params: unknown[] = [
      group,
      kafkaMemberId,
      next?.epoch ?? null,
      next === null ? null : JSON.stringify(next.partitions),
    ];
    if (expected !== null) params.push(expected);
    const changed = await sql.execute(
      `UPDATE shoal_kafka_share_member SET session_epoch = $3, session_partitions = $4
       WHERE group_name = $1 AND kafka_member_id = $2${guard}`,
      params,
    );
    return changed > 0;
  },

  /** Deletes the member; with `memberId`, only while it still is that Shoal member. */
  async delete(sql: Sql, group: string, kafkaMemberId: string, memberId?: string): Promise<void> {
    const params = memberId === undefined ? [group, kafkaMemberId] : [group, kafkaMemberId, memberId];
    const guard = memberId === undefined ? '' : ' AND member_id = $3';
    await sql.execute(
      `DELETE FROM shoal_kafka_share_member WHERE group_name = $1 AND kafka_member_id = $2${guard}`,
      params,
    );
  },
};
