import { Injectable, Logger } from '@nestjs/common';
import { newMemberId, publicMemberId } from '../security/domain/member-id.js';
import type {
  JoinShareGroupResponse,
  ResetTarget,
  ShareGroupConfigView,
  ShareGroupDescription,
  TopicPartition,
} from '@shoal/protocol';
import { DEFAULT_SESSION_TIMEOUT_MS, heartbeatIntervalMs } from '../consumer-groups/domain/consumer-group.js';
import { UnknownGroupError, UnknownMemberError, UnknownTopicError } from '../platform/errors/index.js';
import { RecordState } from './domain/record-state.js';
import { resetPoint } from './domain/share-group-config.js';
import type { Topic } from '../log/domain/topic.js';
import { shareGroupStore as store } from './storage/share-group.store.js';
import { sharePartitionStore } from './storage/share-partition.store.js';
import { topicStore } from '../log/storage/topic.store.js';
import { ShareGroupDoors } from './share-group-doors.js';
import { type GroupMembership, type MemberJoin } from '../platform/group-sessions.js';
import { OffsetResolver } from '../log/offset-resolver.js';
import { ShareGroupCoordinator } from './share-group.coordinator.js';
import type { ShareGroupTransaction } from './share-group.transaction.js';
import { applyFlowChange, flowConfig, splitFlowChange } from './share-group-flow.config.js';

/** Share groups: membership, configuration, describe, offset reset, delete, and the expiry sweep. */
@Injectable()
export class ShareGroupService implements GroupMembership<
  MemberJoin,
  JoinShareGroupResponse,
  { assignment: TopicPartition[] }
> {
  private readonly logger = new Logger(ShareGroupService.name);

  constructor(
    private readonly coordinator: ShareGroupCoordinator,
    private readonly offsets: OffsetResolver,
    private readonly doors: ShareGroupDoors,
  ) {}

  async join(group: string, options: MemberJoin): Promise<JoinShareGroupResponse> {
    const { topics, sessionTimeoutMs = DEFAULT_SESSION_TIMEOUT_MS } = options;
    const unique = [...new Set(topics)];
    const answer = await this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      async (tx) => {
        await this.coordinator.joinTopics(tx, unique);
        const member = {
          memberId: newMemberId(),
          topics: unique,
          sessionTimeoutMs,
          expiresAt: tx.now + sessionTimeoutMs,
        };
        await tx.addMember(member);
        const { byMember } = await tx.assignments();
        return {
          memberId: member.memberId,
          assignment: byMember.get(member.memberId) ?? [],
          heartbeatIntervalMs: heartbeatIntervalMs(sessionTimeoutMs),
        };
      },
      { create: true },
    );
    this.logger.log(
      `member ${publicMemberId(answer.memberId)} joined share group ${group} (topics ${unique.join(', ')})`,
    );
    return answer;
  }

  heartbeat(group: string, memberId: string): Promise<{ assignment: TopicPartition[] }> {
    return this.coordinator.withGroup(
      group,
      () => new UnknownMemberError(group, memberId),
      async (tx) => {
        await tx.touch(memberId);
        return { assignment: (await tx.assignments()).byMember.get(memberId) ?? [] };
      },
    );
  }

  async leave(group: string, memberId: string): Promise<void> {
    await this.coordinator.withGroup(
      group,
      () => new UnknownMemberError(group, memberId),
      async (tx) => {
        tx.member(memberId);
        await tx.removeMember(memberId);
      },
      { membership: true },
    );
    this.logger.log(`member ${publicMemberId(memberId)} left share group ${group}`);
  }

  /** `change` is in range (checked at the edge); a dead-letter topic must exist. */
  async updateConfig(group: string, change: Partial<ShareGroupConfigView>): Promise<ShareGroupConfigView> {
    return this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      async ({ sql, group: row, now }) => {
        if (change.deadLetterTopic && !(await topicStore.findByName(sql, change.deadLetterTopic)))
          throw new UnknownTopicError(change.deadLetterTopic);
        const { base, flow } = splitFlowChange(change);
        const config = {
          ...row.config,
          ...Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)),
        };
        await store.updateConfig(sql, row.id, config);
        return { ...config, ...(await applyFlowChange(sql, row.id, flow, now)) };
      },
      { create: true },
    );
  }

  describe(group: string): Promise<ShareGroupDescription> {
    return this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      async (tx) => {
        // What is in force: locks that ran out count as released (or archived) without a fetch.
        await tx.applyLockExpiries();
        const { sql, group: row } = tx;
        const { byMember } = await tx.assignments();
        const windows = new Map(
          (await sharePartitionStore.windows(sql, row.id)).map((w) => [`${w.topicId}:${w.partition}`, w]),
        );
        const counts = await sharePartitionStore.counts(sql, row.id);
        const partitions: ShareGroupDescription['partitions'] = [];
        // Every partition of every topic the group subscribes to or holds state in, opened or not.
        for (const topic of await this.topicsOf(
          tx,
          [...windows.values()].map((w) => w.topicId),
        )) {
          for (const log of await topicStore.partitions(sql, topic.id)) {
            const w = windows.get(`${topic.id}:${log.partition}`);
            if (!w) {
              // Not opened yet: shown as a fetch would open it now, at the group's reset point.
              const startOffset = resetPoint(row.config.autoOffsetReset, log);
              partitions.push({
                topic: topic.name,
                partition: log.partition,
                startOffset,
                endOffset: startOffset,
                available: 0,
                acquired: 0,
                acknowledged: 0,
                archived: 0,
                lag: Math.max(0, log.endOffset - startOffset),
                opened: false,
              });
              continue;
            }
            const c = counts.get(`${w.topicId}:${w.partition}`);
            const [available, acquired, acknowledged, archived] = [
              RecordState.Available,
              RecordState.Acquired,
              RecordState.Acknowledged,
              RecordState.Archived,
            ].map((s) => c?.[s] ?? 0);
            const startOffset = Math.max(w.startOffset, log.startOffset);
            const lag = Math.max(0, log.endOffset - startOffset - acknowledged - archived);
            partitions.push({
              topic: topic.name,
              partition: w.partition,
              startOffset,
              endOffset: Math.max(w.endOffset, startOffset),
              available,
              acquired,
              acknowledged,
              archived,
              lag,
              opened: true,
            });
          }
        }
        partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
        const protocolOf = await this.doors.protocols(sql, row.name);
        return {
          group: row.name,
          config: { ...row.config, ...(await flowConfig(sql, row.id)) },
          members: tx.members.map((m) => ({
            memberId: publicMemberId(m.memberId),
            assignment: byMember.get(m.memberId) ?? [],
            protocol: protocolOf(m.memberId),
          })),
          partitions,
        };
      },
    );
  }

  /**
   * The topics a share group covers: those its live members subscribe to, and those it holds
   * share-partitions of (so a group whose members all left still shows its state).
   */
  private async topicsOf(tx: ShareGroupTransaction, openedTopicIds: number[]): Promise<Topic[]> {
    const names = [...new Set(tx.members.flatMap((m) => m.topics))];
    const ids = [...new Set(openedTopicIds)];
    const found = new Map<number, Topic>();
    for (const t of names.length === 0 ? [] : await topicStore.findByNames(tx.sql, names)) found.set(t.id, t);
    const missing = ids.filter((id) => !found.has(id));
    for (const t of missing.length === 0 ? [] : await topicStore.findByIds(tx.sql, missing)) found.set(t.id, t);
    return [...found.values()];
  }

  async resetOffsets(group: string, topic: string, partition: number | undefined, to: ResetTarget): Promise<void> {
    await this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      async (tx) => {
        this.coordinator.requireEmpty(tx);
        const { sql, group: row } = tx;
        const offsets = await this.offsets.resolve(sql, topic, partition, to);
        for (const o of offsets) {
          const key = { groupId: row.id, topicId: o.topicId, partition: o.partition };
          await sharePartitionStore.createWindow(sql, key, o.offset);
          await sharePartitionStore.deleteForTopic(sql, row.id, o.topicId, o.partition);
          await sharePartitionStore.setWindow(sql, key, { startOffset: o.offset, endOffset: o.offset });
        }
      },
      { membership: true },
    );
  }

  async delete(group: string): Promise<void> {
    await this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      async (tx) => {
        this.coordinator.requireEmpty(tx);
        await store.delete(tx.sql, tx.group.id);
      },
      { membership: true },
    );
  }

  /** Applies expired sessions and locks as of `now`: see {@link ShareGroupCoordinator.sweep}. */
  async sweep(now: number): Promise<void> {
    await this.coordinator.sweep(now);
  }
}
