import { Injectable } from '@nestjs/common';
import { MAX_OFFSET_METADATA_BYTES } from '../../consumer-groups/domain/consumer-group.js';
import { UnknownGroupError } from '../../platform/errors/index.js';
import { fencedInstance, type GroupErrorName, KafkaGroupState } from './domain/kafka-group.js';
import type { Topic } from '../../log/domain/topic.js';
import { consumerGroupStore } from '../../consumer-groups/storage/consumer-group.store.js';
import { Database, type Sql } from '../../storage/database.js';
import { kafkaGroupStore } from '../storage/kafka-group.store.js';
import { topicStore } from '../../log/storage/topic.store.js';
import { KafkaGroupCoordinator } from './kafka-group.coordinator.js';
import type { KafkaGroupTransaction } from './kafka-group.transaction.js';

export interface TopicOffsets<P> {
  name: string;
  partitions: P[];
}

export interface PartitionCommit {
  partitionIndex: number;
  committedOffset: number;
  committedMetadata?: string | null;
}

export interface PartitionCommitResult {
  partitionIndex: number;
  error: GroupErrorName;
}

export interface PartitionOffset {
  partitionIndex: number;
  /** -1 when nothing is committed. */
  committedOffset: number;
  /** The commit's metadata; absent when none was given or nothing is committed. */
  metadata?: string;
}

/**
 * OffsetCommit and OffsetFetch: the committed offsets are the consumer group's own
 * (`shoal_consumer_offset`), so HTTP describe, lag and `/metrics` show what Kafka clients
 * commit, and a group moved between the two protocols resumes where it was.
 */
@Injectable()
export class KafkaOffsetsService {
  constructor(
    private readonly coordinator: KafkaGroupCoordinator,
    private readonly database: Database,
  ) {}

  /**
   * Kafka's rules: a commit outside any generation (generation −1) lands only on a group with
   * no members (creating it); else the member must be in the group at its current generation,
   * and not while the group awaits its leader's assignment.
   */
  async commit(
    group: string,
    memberId: string,
    generationId: number,
    topics: TopicOffsets<PartitionCommit>[],
    groupInstanceId: string | null = null,
  ): Promise<TopicOffsets<PartitionCommitResult>[]> {
    const everyone = (error: GroupErrorName) =>
      topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, error })),
      }));
    try {
      return await this.coordinator.withGroup(
        group,
        () => new UnknownGroupError(group),
        async (tx) => {
          const refused = await this.refusal(tx, memberId, generationId, groupInstanceId);
          if (refused !== 'NONE') return everyone(refused);
          return this.write(tx, topics);
        },
        { create: generationId < 0, membership: true },
      );
    } catch (error) {
      if (error instanceof UnknownGroupError) return everyone('UNKNOWN_MEMBER_ID');
      throw error;
    }
  }

  /** Committed offsets of the named partitions (all committed ones when `topics` is null); −1 for none. */
  fetch(
    group: string,
    topics: { name: string; partitionIndexes: number[] }[] | null,
  ): Promise<TopicOffsets<PartitionOffset>[]> {
    return this.database.run(async (sql) => {
      const row = await consumerGroupStore.find(sql, group);
      const committed = row
        ? await consumerGroupStore.committedWithMetadata(sql, row.id)
        : new Map<string, { offset: number; metadata: string | null }>();
      if (topics === null) return allCommitted(sql, committed);
      const known = await byName(
        sql,
        topics.map((t) => t.name),
      );
      return topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const topic = known.get(t.name);
          const found = topic ? committed.get(`${topic.id}:${partitionIndex}`) : undefined;
          return withMetadata({ partitionIndex, committedOffset: found?.offset ?? -1 }, found?.metadata ?? null);
        }),
      }));
    });
  }

  private async refusal(
    tx: KafkaGroupTransaction,
    memberId: string,
    generationId: number,
    groupInstanceId: string | null,
  ): Promise<GroupErrorName> {
    const httpMembers = await kafkaGroupStore.httpMemberCount(tx.sql, tx.group.id);
    if (generationId < 0 && httpMembers === 0 && tx.joined.length === 0) {
      await tx.markKafka();
      return 'NONE';
    }
    if (fencedInstance(tx.members, memberId, groupInstanceId)) return 'FENCED_INSTANCE_ID';
    if (tx.kafka.state === KafkaGroupState.CompletingRebalance) return 'REBALANCE_IN_PROGRESS';
    const member = tx.member(memberId);
    if (!member || member.pending) return 'UNKNOWN_MEMBER_ID';
    if (generationId !== tx.generation) return 'ILLEGAL_GENERATION';
    await tx.touch(member);
    return 'NONE';
  }

  private async write(
    tx: KafkaGroupTransaction,
    topics: TopicOffsets<PartitionCommit>[],
  ): Promise<TopicOffsets<PartitionCommitResult>[]> {
    const known = await byName(
      tx.sql,
      topics.map((t) => t.name),
    );
    const offsets: { topicId: number; partition: number; offset: number; metadata: string | null }[] = [];
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): PartitionCommitResult => {
        const topic = known.get(t.name);
        if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partitionCount)
          return { partitionIndex: p.partitionIndex, error: 'UNKNOWN_TOPIC_OR_PARTITION' };
        const metadata = p.committedMetadata ?? null;
        if (metadata !== null && Buffer.byteLength(metadata) > MAX_OFFSET_METADATA_BYTES)
          return { partitionIndex: p.partitionIndex, error: 'OFFSET_METADATA_TOO_LARGE' };
        offsets.push({
          topicId: topic.id,
          partition: p.partitionIndex,
          offset: Math.max(0, p.committedOffset),
          metadata,
        });
        return { partitionIndex: p.partitionIndex, error: 'NONE' };
      }),
    }));
    if (offsets.length > 0) await consumerGroupStore.commit(tx.sql, tx.group.id, offsets);
    return results;
  }
}

async function byName(sql: Sql, names: string[]): Promise<Map<string, Topic>> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return new Map();
  return new Map((await topicStore.findByNames(sql, unique)).map((t) => [t.name, t]));
}

async function allCommitted(
  sql: Sql,
  committed: Map<string, { offset: number; metadata: string | null }>,
): Promise<TopicOffsets<PartitionOffset>[]> {
  const entries = [...committed].map(([key, { offset, metadata }]) => {
    const [topicId, partition] = key.split(':').map(Number);
    return { topicId, partition, offset, metadata };
  });
  if (entries.length === 0) return [];
  const topics = await topicStore.findByIds(sql, [...new Set(entries.map((e) => e.topicId))]);
  return topics
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((topic) => ({
      name: topic.name,
      partitions: entries
        .filter((e) => e.topicId === topic.id)
        .sort((a, b) => a.partition - b.partition)
        .map((e) => withMetadata({ partitionIndex: e.partition, committedOffset: e.offset }, e.metadata)),
    }));
}

function withMetadata(offset: PartitionOffset, metadata: string | null): PartitionOffset {
  return metadata === null ? offset : { ...offset, metadata };
}
