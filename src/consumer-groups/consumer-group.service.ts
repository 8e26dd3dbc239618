import { Injectable, Logger } from '@nestjs/common';
import type {
  AutoOffsetReset,
  ConsumerGroupDescription,
  ConsumerHeartbeatResponse,
  JoinConsumerGroupResponse,
  OffsetCommit,
  RecordPosition,
  ResetTarget,
  TopicPartition,
} from '@shoal/protocol';
import {
  DEFAULT_SESSION_TIMEOUT_MS,
  groupState,
  heartbeatIntervalMs,
  MAX_OFFSET_METADATA_BYTES,
} from './domain/consumer-group.js';
import { FencedError, InvalidRequestError, UnknownGroupError, UnknownMemberError } from '../platform/errors/index.js';
import { consumerGroupStore as store } from './storage/consumer-group.store.js';
import { topicStore } from '../log/storage/topic.store.js';
import type { Sql } from '../storage/database.js';
import { ConsumerGroupCoordinator, type LockedGroup } from './consumer-group.coordinator.js';
import { type GroupMembership, type MemberJoin } from '../groups/group-sessions.js';
import { OffsetResolver } from '../log/offset-resolver.js';
import { newMemberId, publicMemberId } from '../security/domain/member-id.js';
import { ConsumerGroupHooks, type OtherProtocolSide } from './consumer-group.hooks.js';
import { type ProduceBatch, TransactionalProduce } from '../log/transactional-produce.js';

export interface JoinOptions extends MemberJoin {
  autoOffsetReset?: AutoOffsetReset;
}

/** Classic consumer groups: membership, commits, describe, offset reset and delete. */
@Injectable()
export class ConsumerGroupService implements GroupMembership<
  JoinOptions,
  JoinConsumerGroupResponse,
  ConsumerHeartbeatResponse
> {
  private readonly logger = new Logger(ConsumerGroupService.name);

  constructor(
    private readonly coordinator: ConsumerGroupCoordinator,
    private readonly offsets: OffsetResolver,
    private readonly hooks: ConsumerGroupHooks,
    private readonly producer: TransactionalProduce,
  ) {}

  async join(group: string, options: JoinOptions): Promise<JoinConsumerGroupResponse> {
    const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const topics = [...new Set(options.topics)];
    const answer = await this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      async (locked) => {
        await this.coordinator.joinTopics(locked, topics);
        await this.takeFromKafka(locked.sql, locked.group);
        const member = {
          memberId: newMemberId(),
          topics,
          sessionTimeoutMs,
          autoOffsetReset: options.autoOffsetReset ?? 'latest',
          answeredGeneration: 0,
          expiresAt: locked.now + sessionTimeoutMs,
        };
        await store.insertMember(locked.sql, locked.group.id, member);
        locked.members.push(member);
        await this.coordinator.rebalance(locked);
        const { generation, assignment } = await this.coordinator.answer(locked, member);
        return {
          memberId: member.memberId,
          generation,
          assignment,
          heartbeatIntervalMs: heartbeatIntervalMs(sessionTimeoutMs),
        };
      },
      { create: true },
    );
    this.logger.log(
      `member ${publicMemberId(answer.memberId)} joined consumer group ${group} (generation ${answer.generation})`,
    );
    return answer;
  }

  heartbeat(group: string, memberId: string): Promise<ConsumerHeartbeatResponse> {
    return this.coordinator.withMember(group, memberId, async (locked, member) => {
      const { generation, assignment } = await this.coordinator.answer(locked, member);
      return { generation, assignment };
    });
  }

  async leave(group: string, memberId: string): Promise<void> {
    await this.coordinator.withGroup(
      group,
      () => new UnknownMemberError(group, memberId),
      async (locked) => {
        this.coordinator.member(locked, memberId);
        await this.coordinator.removeMembers(locked, [memberId]);
      },
    );
    this.logger.log(`member ${publicMemberId(memberId)} left consumer group ${group}`);
  }

  /**
   * Commits offsets, fenced by the generation of the member's latest answer and by ownership;
   * `produce` is appended in the same transaction (consume-transform-produce, issue 26): a
   * fenced commit produces nothing. Answers where each batch of `produce` landed.
   */
  async commit(
    group: string,
    memberId: string,
    generation: number,
    offsets: OffsetCommit[],
    produce: ProduceBatch[] = [],
  ): Promise<RecordPosition[][]> {
    const staged = await this.coordinator.withGroup(
      group,
      () => new FencedError(`group ${group} does not exist`),
      async (locked) => {
        const member = locked.members.find((m) => m.memberId === memberId);
        if (!member) throw new FencedError(`member ${memberId} is not in group ${group}`);
        if (generation !== member.answeredGeneration) {
          throw new FencedError(
            `generation ${generation} is not the member's current generation ${member.answeredGeneration}`,
          );
        }
        const topics = new Map(
          (await topicStore.findByNames(locked.sql, [...new Set(offsets.map((o) => o.topic))])).map((t) => [t.name, t]),
        );
        const owned = new Set(
          (await store.partitions(locked.sql, locked.group.id))
            .filter((p) => p.owner === memberId)
            .map((p) => `${p.topicId}:${p.partition}`),
        );
        const resolved = [];
        for (const o of offsets) {
          const topic = topics.get(o.topic);
          if (!topic || !owned.has(`${topic.id}:${o.partition}`))
            throw new FencedError(`${o.topic}/${o.partition} is not assigned to member ${memberId}`);
          // Any offset ≥ 0 from the partition's owner is accepted, as in Kafka: a fetch from
          // beyond the end waits at the end (only FENCED refuses a commit).
          if (o.metadata !== undefined && Buffer.byteLength(o.metadata) > MAX_OFFSET_METADATA_BYTES)
            throw new InvalidRequestError(
              `metadata of ${o.topic}/${o.partition} is longer than ${MAX_OFFSET_METADATA_BYTES} bytes`,
            );
          resolved.push({ topicId: topic.id, partition: o.partition, offset: o.offset, metadata: o.metadata ?? null });
        }
        await store.commit(locked.sql, locked.group.id, resolved);
        await store.touchMember(
          locked.sql,
          locked.group.id,
          memberId,
          member.answeredGeneration,
          locked.now + member.sessionTimeoutMs,
        );
        return produce.length > 0 ? this.producer.write(locked.sql, produce) : null;
      },
    );
    staged?.afterCommit();
    return staged?.positions ?? [];
  }

  describe(group: string): Promise<ConsumerGroupDescription> {
    return this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      async ({ sql, group: row, members }) => {
        const partitions = await store.partitions(sql, row.id);
        const committed = await store.committedWithMetadata(sql, row.id);
        const other = this.hooks.otherProtocol.current;
        const side = other ? await other.side(sql, row.id) : null;
        const subscribed = new Set([...members, ...(side?.members ?? [])].flatMap((m) => m.topics));
        const topicIds = new Set([
          ...partitions.map((p) => p.topicId),
          ...[...committed.keys()].map((k) => Number(k.split(':')[0])),
        ]);
        const topics = topicIds.size === 0 ? [] : await topicStore.findByIds(sql, [...topicIds]);
        const subscribedTopics = subscribed.size === 0 ? [] : await topicStore.findByNames(sql, [...subscribed]);
        const listed = new Map([...topics, ...subscribedTopics].map((t) => [t.id, t]));
        const offsets: ConsumerGroupDescription['offsets'] = [];
        for (const topic of [...listed.values()].sort((a, b) => a.name.localeCompare(b.name))) {
          for (const window of await topicStore.partitions(sql, topic.id)) {
            const key = `${topic.id}:${window.partition}`;
            const found = committed.get(key);
            const committedOffset = found?.offset ?? null;
            if (committedOffset === null && !subscribed.has(topic.name)) continue;
            const lag = window.endOffset - (committedOffset ?? window.startOffset);
            offsets.push({
              topic: topic.name,
              partition: window.partition,
              committedOffset,
              ...(found?.metadata != null ? { metadata: found.metadata } : {}),
              endOffset: window.endOffset,
              lag: Math.max(0, lag),
            });
          }
        }
        const assignment = (memberId: string) =>
          partitions
            .filter((p) => p.owner === memberId && listed.has(p.topicId))
            .map((p) => ({ topic: listed.get(p.topicId)!.name, partition: p.partition }));
        return {
          group: row.name,
          state: side ? side.state : groupState(members.length, partitions),
          generation: row.generation,
          members: [
            ...members.map((m) => ({ memberId: publicMemberId(m.memberId), assignment: assignment(m.memberId) })),
            ...otherMembers(side, assignment),
          ],
          offsets,
          protocol: side && other ? other.name : 'http',
        };
      },
    );
  }

  async resetOffsets(group: string, topic: string, partition: number | undefined, to: ResetTarget): Promise<void> {
    await this.withEmptyGroup(group, async (locked) => {
      const offsets = await this.offsets.resolve(locked.sql, topic, partition, to);
      await store.commit(locked.sql, locked.group.id, offsets);
    });
  }

  async delete(group: string): Promise<void> {
    await this.withEmptyGroup(group, (locked) => store.delete(locked.sql, locked.group.id));
  }

  /** Runs `work` on a group no one is a member of (neither over HTTP nor over Kafka). */
  private withEmptyGroup(group: string, work: (locked: LockedGroup) => Promise<void>): Promise<void> {
    return this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      async (locked) => {
        this.coordinator.requireEmpty(locked);
        await this.requireNoOtherMembers(locked.sql, locked.group);
        await work(locked);
      },
    );
  }

  /** Removes every member whose session ran out before `now`; answers how many groups it touched. */
  sweep(now: number): Promise<number> {
    return this.coordinator.sweep(now);
  }

  /** A group runs one protocol at a time: an HTTP join takes a Kafka group only once its Kafka members are gone. */
  private async takeFromKafka(sql: Sql, group: { id: number; name: string }): Promise<void> {
    await this.requireNoOtherMembers(sql, group);
    await this.hooks.otherProtocol.current?.forget(sql, group.id);
  }

  private async requireNoOtherMembers(sql: Sql, group: { id: number; name: string }): Promise<void> {
    await this.hooks.otherProtocol.current?.requireNoMembers(sql, group);
  }
}

/** The other protocol's (Kafka's) members as describe lists them: their whole id and client id. */
function otherMembers(side: OtherProtocolSide | null, assignment: (memberId: string) => TopicPartition[]) {
  return (side?.members ?? []).map((m) => ({
    memberId: m.memberId,
    assignment: assignment(m.memberId),
    clientId: m.clientId,
  }));
}
