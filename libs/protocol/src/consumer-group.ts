import type { WireRecord } from './record.js';

/** One partition of one topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Where a consumer group starts a partition that has no committed offset. */
export type AutoOffsetReset = 'latest' | 'earliest';

/** `POST /v1/consumer-groups/{group}/members` body. */
export interface JoinConsumerGroupRequest {
  topics: string[];
  sessionTimeoutMs?: number;
  autoOffsetReset?: AutoOffsetReset;
}

/** The answer to a join. */
export interface JoinConsumerGroupResponse {
  memberId: string;
  generation: number;
  assignment: TopicPartition[];
  heartbeatIntervalMs: number;
}

/** The answer to a heartbeat: the member's current view. */
export interface ConsumerHeartbeatResponse {
  generation: number;
  assignment: TopicPartition[];
}

/** `POST …/members/{memberId}/fetch` body. */
export interface ConsumerFetchRequest {
  maxRecords?: number;
  maxWaitMs?: number;
}

/** The answer to a consumer-group fetch. */
export interface ConsumerFetchResponse {
  records: WireRecord[];
  generation: number;
  assignment: TopicPartition[];
}

/** One committed offset: the next offset to read (Kafka's convention). */
export interface OffsetCommit extends TopicPartition {
  offset: number;
  /** Free text kept with the offset (Kafka's commit metadata), at most 4096 UTF-8 bytes. */
  metadata?: string;
}

/** `POST /v1/consumer-groups/{group}/offsets` body. */
export interface CommitOffsetsRequest {
  memberId: string;
  generation: number;
  offsets: OffsetCommit[];
}

/** Where an offset reset moves a group. */
export type ResetTarget = 'earliest' | 'latest' | { offset: number } | { timestamp: number };

/** `POST /v1/{consumer,share}-groups/{group}/offsets/reset` body. */
export interface ResetOffsetsRequest {
  topic: string;
  partition?: number;
  to: ResetTarget;
}

/** `GET /v1/consumer-groups/{group}`. */
export interface ConsumerGroupDescription {
  group: string;
  state: 'empty' | 'stable' | 'reconciling';
  generation: number;
  members: {
    memberId: string;
    assignment: TopicPartition[];
    /** Kafka members: the client id they gave. */ clientId?: string;
  }[];
  offsets: {
    topic: string;
    partition: number;
    committedOffset: number | null;
    /** The latest commit's metadata; absent when it had none or nothing is committed. */
    metadata?: string;
    endOffset: number;
    lag: number;
  }[];
  /** Who runs the group: Shoal's HTTP routes, or Kafka clients (JoinGroup/SyncGroup on the Kafka listener). */
  protocol?: GroupProtocol;
}

/** The protocol a consumer group's members use. */
export type GroupProtocol = 'http' | 'kafka';
