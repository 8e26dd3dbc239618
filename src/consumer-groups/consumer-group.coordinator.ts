import { Inject, Injectable } from '@nestjs/common';
import type { TopicPartition } from '@shoal/protocol';
import { type Clock, CLOCK } from '../platform/clock.js';
import type { ConsumerGroup, ConsumerMember, GroupPartition } from './domain/consumer-group.js';
import { assignSticky, partitionKey } from './domain/sticky-assignor.js';
import { UnknownMemberError } from '../platform/errors/index.js';
import type { Topic } from '../log/domain/topic.js';
import { consumerGroupStore as store } from './storage/consumer-group.store.js';
import { Database, type Sql } from '../storage/database.js';
import { topicStore } from '../log/storage/topic.store.js';
import { ChangeSignal, groupKey } from '../platform/change-signal.js';
import { GroupSessions, type WithGroupOptions } from '../groups/group-sessions.js';

/** A group locked for the length of one transaction, with its members as of now. */
export interface LockedGroup {
  sql: Sql;
  group: ConsumerGroup;
  members: ConsumerMember[];
  now: number;
  /** Set when membership or assignment changed: waiting fetches are woken after the commit. */
  changed: boolean;
  /** The members' subscribed topics as looked up in this transaction (by {@link ConsumerGroupCoordinator.refreshSubscription}). */
  subscribed?: Topic[];
}

/**
 * The mechanics every consumer-group operation shares, inside one transaction that holds the
 * group's row: expiring members whose session ran out, re-running the assignor when
 * membership or the subscribed partitions change (bumping the generation), and building a
 * member's answer — revoke before assign.
 */
@Injectable()
export class ConsumerGroupCoordinator extends GroupSessions<LockedGroup> {
  constructor(
    database: Database,
    private readonly signal: ChangeSignal,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(database, clock, store, 'consumer');
  }

  /** Every change to a consumer group locks its row exclusively. */
  protected async begin(sql: Sql, name: string, now: number, options: WithGroupOptions): Promise<LockedGroup | null> {
    if (options.create) await store.create(sql, name, now);
    const group = await store.find(sql, name, true);
    if (!group) return null;
    const locked: LockedGroup = { sql, group, members: await store.members(sql, group.id), now, changed: false };
    await this.expire(locked);
    return locked;
  }

  protected afterCommit(locked: LockedGroup): void {
    if (locked.changed) this.signal.notify(groupKey('consumer', locked.group.id));
  }

  /** The member, or UNKNOWN_MEMBER. */
  member(locked: LockedGroup, memberId: string): ConsumerMember {
    const member = locked.members.find((m) => m.memberId === memberId);
    if (!member) throw new UnknownMemberError(locked.group.name, memberId);
    return member;
  }

  async removeMembers(locked: LockedGroup, memberIds: string[]): Promise<void> {
    if (memberIds.length === 0) return;
    await store.removeMembers(locked.sql, locked.group.id, memberIds);
    locked.members = locked.members.filter((m) => !memberIds.includes(m.memberId));
    await this.rebalance(locked);
  }

  /**
   * Recomputes the targets and bumps the generation. Called on every membership change, and
   * by {@link refreshSubscription} when a subscribed topic grew or went away.
   */
  async rebalance(locked: LockedGroup): Promise<void> {
    const { sql, group } = locked;
    const topics = await this.subscribedTopics(sql, locked.members);
    const current = await store.partitions(sql, group.id);
    const byId = new Map(topics.map((t) => [t.id, t]));
    const currentTargets = new Map<string, string>();
    for (const p of current) {
      const topic = byId.get(p.topicId);
      if (topic && p.target !== null) currentTargets.set(partitionKey(topic.name, p.partition), p.target);
    }
    const target = assignSticky(locked.members, new Map(topics.map((t) => [t.name, t.partitionCount])), currentTargets);
    const existing = new Set(current.map((p) => `${p.topicId}:${p.partition}`));
    for (const p of current) {
      const topic = byId.get(p.topicId);
      const wanted = topic ? (target.get(partitionKey(topic.name, p.partition)) ?? null) : null;
      if (wanted !== p.target) await store.setTarget(sql, group.id, p.topicId, p.partition, wanted);
    }
    const added: { topicId: number; partition: number; target: string }[] = [];
    for (const topic of topics) {
      for (let partition = 0; partition < topic.partitionCount; partition++) {
        const wanted = target.get(partitionKey(topic.name, partition));
        if (wanted !== undefined && !existing.has(`${topic.id}:${partition}`))
          added.push({ topicId: topic.id, partition, target: wanted });
      }
    }
    await store.insertPartitions(sql, group.id, added);
    await store.pruneIdle(sql, group.id);
    group.generation += 1;
    group.subscriptionSize = topics.reduce((sum, t) => sum + t.partitionCount, 0);
    await store.update(sql, group);
    locked.changed = true;
  }

  /**
   * Runs `work` for one member of the group (UNKNOWN_MEMBER if the group or the member is not
   * there), after a rebalance if the subscribed topics' partition count changed.
   */
  withMember<T>(
    group: string,
    memberId: string,
    work: (locked: LockedGroup, member: ConsumerMember) => Promise<T>,
    options: Pick<WithGroupOptions, 'durable'> = {},
  ): Promise<T> {
    return this.withGroup(
      group,
      () => new UnknownMemberError(group, memberId),
      async (locked) => {
        const member = this.member(locked, memberId);
        await this.refreshSubscription(locked);
        return work(locked, member);
      },
      options,
    );
  }

  /** Rebalances if the subscribed topics' partition count changed since the last assignment. */
  async refreshSubscription(locked: LockedGroup): Promise<void> {
    const topics = await this.subscribedTopics(locked.sql, locked.members);
    locked.subscribed = topics;
    if (topics.reduce((sum, t) => sum + t.partitionCount, 0) !== locked.group.subscriptionSize)
      await this.rebalance(locked);
  }

  /** Reconciles the member and answers its view: the partitions it now holds. */
  async answer(
    locked: LockedGroup,
    member: ConsumerMember,
    extraAliveMs = 0,
  ): Promise<{
    generation: number;
    owned: GroupPartition[];
    assignment: TopicPartition[];
    names: Map<number, string>;
  }> {
    const { sql, group } = locked;
    await store.reconcile(sql, group.id, member.memberId);
    await store.touchMember(
      sql,
      group.id,
      member.memberId,
      group.generation,
      locked.now + member.sessionTimeoutMs + extraAliveMs,
    );
    member.answeredGeneration = group.generation;
    const owned = (await store.partitions(sql, group.id)).filter((p) => p.owner === member.memberId);
    const names = await this.topicNames(sql, owned, locked.subscribed);
    const held = owned.filter((p) => names.has(p.topicId));
    return {
      generation: group.generation,
      owned: held,
      names,
      assignment: held.map((p) => ({ topic: names.get(p.topicId)!, partition: p.partition })),
    };
  }

  /** The names of the partitions' topics that exist; `known`: topics looked up already in this transaction. */
  async topicNames(sql: Sql, partitions: { topicId: number }[], known: Topic[] = []): Promise<Map<number, string>> {
    const names = new Map<number, string>();
    if (partitions.length === 0) return names;
    const byId = new Map(known.map((t) => [t.id, t.name]));
    const missing = new Set<number>();
    for (const { topicId } of partitions) {
      const name = byId.get(topicId);
      if (name === undefined) missing.add(topicId);
      else names.set(topicId, name);
    }
    if (missing.size > 0) for (const t of await topicStore.findByIds(sql, [...missing])) names.set(t.id, t.name);
    return names;
  }

  private async subscribedTopics(sql: Sql, members: ConsumerMember[]): Promise<Topic[]> {
    const names = [...new Set(members.flatMap((m) => m.topics))];
    return names.length === 0 ? [] : topicStore.findByNames(sql, names);
  }

  private async expire(locked: LockedGroup): Promise<void> {
    await this.removeMembers(
      locked,
      locked.members.filter((m) => m.expiresAt < locked.now).map((m) => m.memberId),
    );
  }
}
