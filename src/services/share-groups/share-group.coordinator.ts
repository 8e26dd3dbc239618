import { Inject, Injectable } from '@nestjs/common';
import type { TopicPartition } from '@shoal/protocol';
import { type Clock, CLOCK } from '../../domain/clock.js';
import type { Topic } from '../../domain/log/topic.js';
import { ShoalMetrics } from '../../metrics/shoal-metrics.js';
import { DEFAULT_SHARE_GROUP_CONFIG } from '../../domain/share-group/share-group-config.js';
import { assignShared } from '../../domain/share-group/simple-assignor.js';
import { Database, type Sql } from '../../storage/database.js';
import { type ShareGroupRow, type ShareMember, shareGroupStore as store } from '../../storage/share-group.store.js';
import { sharePartitionStore } from '../../storage/share-partition.store.js';
import { topicStore } from '../../storage/topic.store.js';
import { ChangeSignal, groupKey } from '../../common/change-signal.js';
import { LogAppender } from '../log/log-appender.js';
import { emptyActivity, type OpenSharePartition, type ShareActivity, SharePartitionCoordinator } from './share-partition.coordinator.js';

/** A share group inside one transaction, with its live members. */
export interface LockedShareGroup {
  sql: Sql;
  group: ShareGroupRow;
  members: ShareMember[];
  now: number;
  activity: ShareActivity;
  /** Share-partitions opened in this transaction, by `topicId:partition`. */
  opened: Map<string, OpenSharePartition>;
  /** Topics looked up in this transaction, by name (null: no such topic). */
  topics: Map<string, Topic | null>;
  /** Membership changed: waiting fetches should answer with their new assignment. */
  changed: boolean;
}

/**
 * What every share-group operation shares: one transaction holding the group's row, members
 * whose session ran out removed (their records released at once), the assignment computed
 * from the members as they are, and after the commit the wake-ups, dead-letter
 * announcements and metrics of what happened.
 */
@Injectable()
export class ShareGroupCoordinator {
  constructor(
    private readonly database: Database,
    private readonly partitions: SharePartitionCoordinator,
    private readonly signal: ChangeSignal,
    private readonly appender: LogAppender,
    private readonly metrics: ShoalMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async withGroup<T>(
    name: string,
    missing: () => Error,
    work: (locked: LockedShareGroup) => Promise<T>,
    options: { create?: boolean; membership?: boolean; now?: number } = {},
  ): Promise<T> {
    let locked: LockedShareGroup | undefined;
    const result = await this.database.transaction(async (sql) => {
      const now = options.now ?? this.clock.now();
      if (options.create) await store.create(sql, name, DEFAULT_SHARE_GROUP_CONFIG, now);
      const group = await store.find(sql, name, options.create || options.membership ? 'update' : 'share');
      if (!group) throw missing();
      locked = { sql, group, members: await store.members(sql, group.id), now, activity: emptyActivity(), opened: new Map(), topics: new Map(), changed: false };
      for (const member of locked.members.filter((m) => m.expiresAt < now)) await this.removeMember(locked, member.memberId);
      return work(locked);
    });
    this.afterCommit(locked!);
    return result;
  }

  /** Removes a member and releases what it held, at once. */
  async removeMember(locked: LockedShareGroup, memberId: string): Promise<void> {
    const { sql, group } = locked;
    await store.deleteMember(sql, group.id, memberId);
    locked.members = locked.members.filter((m) => m.memberId !== memberId);
    locked.changed = true;
    const held = await sharePartitionStore.heldBy(sql, group.id, memberId);
    const byPartition = new Map<string, typeof held>();
    for (const record of held) byPartition.set(`${record.topicId}:${record.partition}`, [...(byPartition.get(`${record.topicId}:${record.partition}`) ?? []), record]);
    if (byPartition.size === 0) return;
    const topics = new Map((await topicStore.findByIds(sql, [...new Set(held.map((r) => r.topicId))])).map((t) => [t.id, t]));
    const ordered = [...byPartition.values()].sort((a, b) => a[0].topicId - b[0].topicId || a[0].partition - b[0].partition);
    for (const records of ordered) {
      const topic = topics.get(records[0].topicId);
      if (!topic) continue;
      const open = await this.partitions.open(sql, group, topic, records[0].partition, locked.now, locked.activity, false, locked.opened);
      if (!open) continue;
      // Records whose lock expired were released by open(); release the rest.
      const still = await sharePartitionStore.records(sql, open.key, records.map((r) => r.offset));
      await this.partitions.release(open, [...still.values()].filter((r) => r.memberId === memberId && r.state === 1), 0);
    }
  }

  /**
   * Opens every share-partition of the group holding a lock that ran out, in the fixed lock
   * order: opening applies the expiries (released, or archived and dead-lettered at the
   * delivery limit) and moves the start past final records, exactly as a fetch would.
   */
  async applyLockExpiries(locked: LockedShareGroup): Promise<void> {
    const expired = await sharePartitionStore.partitionsWithExpiredLocks(locked.sql, locked.group.id, locked.now);
    if (expired.length === 0) return;
    const topics = new Map((await topicStore.findByIds(locked.sql, [...new Set(expired.map((p) => p.topicId))])).map((t) => [t.id, t]));
    for (const { topicId, partition } of expired) {
      const topic = topics.get(topicId);
      if (topic) await this.partitions.open(locked.sql, locked.group, topic, partition, locked.now, locked.activity, false, locked.opened);
    }
  }

  /**
   * Locks the share-partitions a transaction is about to touch, in one fixed order, so two
   * transactions on PostgreSQL never wait on each other in a cycle. (SQLite runs one at a time.)
   */
  async lockInOrder(locked: LockedShareGroup, partitions: TopicPartition[]): Promise<void> {
    if (locked.sql.kind !== 'postgres' || partitions.length === 0) return;
    const topics = await this.topics(locked, partitions.map((p) => p.topic));
    const keys = new Map<string, { groupId: number; topicId: number; partition: number }>();
    for (const p of partitions) {
      const topicId = topics.get(p.topic)?.id;
      if (topicId !== undefined) keys.set(`${topicId}:${p.partition}`, { groupId: locked.group.id, topicId, partition: p.partition });
    }
    const ordered = [...keys.values()].sort((a, b) => a.topicId - b.topicId || a.partition - b.partition);
    for (const key of ordered) await sharePartitionStore.lockWindow(locked.sql, key);
  }

  /** The named topics that exist, looked up once per transaction. */
  async topics(locked: LockedShareGroup, names: string[]): Promise<Map<string, Topic>> {
    const missing = [...new Set(names)].filter((name) => !locked.topics.has(name));
    if (missing.length > 0) {
      const found = new Map((await topicStore.findByNames(locked.sql, missing)).map((t) => [t.name, t]));
      for (const name of missing) locked.topics.set(name, found.get(name) ?? null);
    }
    const result = new Map<string, Topic>();
    for (const name of names) {
      const topic = locked.topics.get(name);
      if (topic) result.set(name, topic);
    }
    return result;
  }

  /** Every member's assignment under the simple assignor, and the topics it covers. */
  async assignments(locked: LockedShareGroup): Promise<{ byMember: Map<string, TopicPartition[]>; topics: Map<string, Topic> }> {
    const topics = await this.topics(locked, locked.members.flatMap((m) => m.topics));
    const byMember = assignShared(locked.members, new Map([...topics.values()].map((t) => [t.name, t.partitionCount])));
    return { byMember, topics };
  }

  private afterCommit(locked: LockedShareGroup): void {
    const { activity, group } = locked;
    this.appender.announce(activity.deadLetterHeads);
    if (activity.released || locked.changed) this.signal.notify(groupKey('share', group.id));
    this.metrics.shareActivity(group.name, activity);
  }
}
