import type { ShareGroupConfigView } from '@shoal/protocol';
import type { Sql } from '../../storage/database.js';
import { groupSessionStore } from '../../groups/storage/group-session.store.js';
import { KeysAppeared } from '../../security/deferred-auth.js';
import type { Topic } from '../../log/domain/topic.js';
import { toTopic, type TopicRow } from '../../log/storage/topic.store.js';
import { securityStore } from '../../security/storage/security.store.js';
import {
  attachNextRecords,
  type LockedWindow,
  lockWindowsStatement,
  nextRecordsStatement,
  toLockedWindows,
  type WindowsAhead,
} from './share-window-reads.js';

export interface ShareGroupRow {
  id: number;
  name: string;
  config: ShareGroupConfigView;
}

export interface ShareMember {
  memberId: string;
  topics: string[];
  sessionTimeoutMs: number;
  expiresAt: number;
}

interface GroupRow {
  id: number;
  name: string;
  record_lock_duration_ms: number;
  delivery_count_limit: number;
  max_in_flight: number;
  auto_offset_reset: string;
  dead_letter_topic: string | null;
  result_retention_ms: number | string;
}

/** A group as {@link shareGroupStore.open} opens it; `topics`: its members' topics that exist, when read with it. */
export interface OpenedGroup {
  group: ShareGroupRow;
  members: ShareMember[];
  topics?: Topic[];
  /** The windows locked ahead ({@link WindowsAhead}: `keys` asked for, `locked` those that exist), when asked and this is the group. */
  ahead?: { keys: WindowsAhead['keys']; locked: Map<string, LockedWindow> };
}

/** The statements of a {@link WindowsAhead}: the windows' lock, then the next records' read. */
function windowReads(ahead: WindowsAhead): { sql: string; params: unknown[] }[] {
  const lock = lockWindowsStatement('postgres', ahead.groupId, ahead.keys, ahead.now);
  return ahead.read ? [lock, nextRecordsStatement(ahead.groupId, ahead.read)] : [lock];
}

interface MemberRow {
  member_id: string;
  topics: string;
  session_timeout_ms: number;
  expires_at: number;
}

const COLUMNS =
  'id, name, record_lock_duration_ms, delivery_count_limit, max_in_flight, auto_offset_reset, dead_letter_topic, result_retention_ms';

/** Share groups, their configuration and their members. */
export const shareGroupStore = {
  ...groupSessionStore('share'),

  /** Locks the group's row on PostgreSQL: `update` for membership and config, `share` for fetches and acks. */
  async find(sql: Sql, name: string, lock: 'update' | 'share' | 'none' = 'none'): Promise<ShareGroupRow | null> {
    const suffix = sql.kind === 'postgres' && lock !== 'none' ? ` FOR ${lock.toUpperCase()}` : '';
    const rows = await sql.rows<GroupRow>(`SELECT ${COLUMNS} FROM shoal_share_group WHERE name = $1${suffix}`, [name]);
    return rows.length === 0 ? null : toGroup(rows[0]);
  },

  /**
   * The group with its row locked as {@link find} locks it, and its members read after the
   * lock: on PostgreSQL one statement (`shoal_share_group_open`, a migration's function: the
   * transaction's first, it goes out with the BEGIN) that also reads the members' topics,
   * elsewhere two. Null: no such group.
   * `checkKeys` (a request's deferred auth check, security/deferred-auth.ts): first
   * {@link KeysAppeared} if an API key exists.
   */
  async open(
    sql: Sql,
    name: string,
    lock: 'update' | 'share',
    checkKeys = false,
    ahead?: WindowsAhead,
  ): Promise<OpenedGroup | null> {
    if (sql.kind !== 'postgres') {
      if (checkKeys && (await securityStore.anyKey(sql))) throw new KeysAppeared();
      const group = await this.find(sql, name, lock);
      return group && { group, members: await this.members(sql, group.id) };
    }
    const open = {
      sql: 'SELECT shoal_share_group_open($1, $2, $3) AS opened',
      params: [name, lock === 'update', checkKeys],
    };
    const answers = ahead && sql.together ? await sql.together([open, ...windowReads(ahead)]) : null;
    const rows = (answers?.[0] ?? (await sql.rows(open.sql, open.params))) as {
      opened: { keys?: boolean; group?: GroupRow | null; members?: MemberRow[]; topics?: TopicRow[] };
    }[];
    const opened = rows[0].opened;
    if (opened.keys) throw new KeysAppeared();
    if (!opened.group) return null;
    const members = (opened.members ?? []).map(toMember);
    const group = toGroup(opened.group);
    const topics = (opened.topics ?? []).map(toTopic);
    if (!answers || !ahead || group.id !== ahead.groupId) return { group, members, topics };
    const locked = toLockedWindows(answers[1]);
    if (ahead.read && answers[2]) attachNextRecords(locked, ahead.read, answers[2]);
    return { group, members, topics, ahead: { keys: ahead.keys, locked } };
  },

  async create(sql: Sql, name: string, config: ShareGroupConfigView, now: number): Promise<void> {
    await sql.execute(
      `INSERT INTO shoal_share_group (name, record_lock_duration_ms, delivery_count_limit, max_in_flight, auto_offset_reset, dead_letter_topic, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
      [
        name,
        config.recordLockDurationMs,
        config.deliveryCountLimit,
        config.maxInFlightRecordsPerPartition,
        config.autoOffsetReset,
        config.deadLetterTopic,
        now,
      ],
    );
  },

  async updateConfig(sql: Sql, groupId: number, config: ShareGroupConfigView): Promise<void> {
    await sql.execute(
      `UPDATE shoal_share_group SET record_lock_duration_ms = $2, delivery_count_limit = $3, max_in_flight = $4, auto_offset_reset = $5, dead_letter_topic = $6, result_retention_ms = $7
       WHERE id = $1`,
      [
        groupId,
        config.recordLockDurationMs,
        config.deliveryCountLimit,
        config.maxInFlightRecordsPerPartition,
        config.autoOffsetReset,
        config.deadLetterTopic,
        config.resultRetentionMs ?? 0,
      ],
    );
  },

  async delete(sql: Sql, groupId: number): Promise<void> {
    for (const table of ['shoal_share_job', 'shoal_share_range', 'shoal_share_partition', 'shoal_share_member'])
      await sql.execute(`DELETE FROM ${table} WHERE group_id = $1`, [groupId]);
    await sql.execute('DELETE FROM shoal_share_group WHERE id = $1', [groupId]);
  },

  async members(sql: Sql, groupId: number): Promise<ShareMember[]> {
    const rows = await sql.rows<MemberRow>(
      'SELECT member_id, topics, session_timeout_ms, expires_at FROM shoal_share_member WHERE group_id = $1 ORDER BY member_id',
      [groupId],
    );
    return rows.map(toMember);
  },

  async insertMember(sql: Sql, groupId: number, member: ShareMember): Promise<void> {
    await sql.execute(
      'INSERT INTO shoal_share_member (group_id, member_id, topics, session_timeout_ms, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [groupId, member.memberId, JSON.stringify(member.topics), member.sessionTimeoutMs, member.expiresAt],
    );
  },

  /**
   * Renews a member's session. Nothing after it in the transaction reads it: on PostgreSQL it
   * goes out with the COMMIT, no round trip of its own, its row lock the transaction's last
   * (after the share-partitions'). Removing an expired member takes the two the other way round
   * (its row, then the share-partitions of what it held): a fetch of a member whose session runs
   * out at that instant can deadlock with its removal, which PostgreSQL detects (after
   * `deadlock_timeout`, 1 s) and the transaction's retry of `40P01` resolves.
   */
  async touchMember(sql: Sql, groupId: number, memberId: string, expiresAt: number): Promise<void> {
    await sql.later(
      'UPDATE shoal_share_member SET expires_at = $3 WHERE group_id = $1 AND member_id = $2 AND expires_at < $3',
      [groupId, memberId, expiresAt],
      { last: true },
    );
  },

  async deleteMember(sql: Sql, groupId: number, memberId: string): Promise<void> {
    await sql.execute('DELETE FROM shoal_share_member WHERE group_id = $1 AND member_id = $2', [groupId, memberId]);
  },
};

function toGroup(r: GroupRow): ShareGroupRow {
  return {
    id: Number(r.id),
    name: r.name,
    config: {
      recordLockDurationMs: Number(r.record_lock_duration_ms),
      deliveryCountLimit: Number(r.delivery_count_limit),
      maxInFlightRecordsPerPartition: Number(r.max_in_flight),
      autoOffsetReset: r.auto_offset_reset as ShareGroupConfigView['autoOffsetReset'],
      deadLetterTopic: r.dead_letter_topic,
      // Shown once set, as the flow settings are.
      ...(Number(r.result_retention_ms) > 0 ? { resultRetentionMs: Number(r.result_retention_ms) } : {}),
    },
  };
}

function toMember(r: MemberRow): ShareMember {
  return {
    memberId: r.member_id,
    topics: JSON.parse(r.topics) as string[],
    sessionTimeoutMs: Number(r.session_timeout_ms),
    expiresAt: Number(r.expires_at),
  };
}
