import type { AutoOffsetReset, TopicPartition } from './consumer-group.js';
import type { WireRecord } from './record.js';

/** An acknowledgement type. */
export type AckType = 'accept' | 'release' | 'reject' | 'renew';

/** Every acknowledgement type, for checks at run time. */
export const ACK_TYPES: readonly AckType[] = ['accept', 'release', 'reject', 'renew'];

/** One acknowledgement: a single offset, or the range [offset, lastOffset]. */
export interface Acknowledgement {
  topic: string;
  partition: number;
  offset: number;
  lastOffset?: number;
  type: AckType;
  /** With `release`: not handed out again before this many ms. */
  delayMs?: number;
  /**
   * With `release` only: `false` says the record never reached the application (fetched, never
   * started): it is available again at once and its delivery count goes back down by one, so
   * a worker shutting down does not spend a delivery of the jobs it held unstarted.
   */
  delivered?: boolean;
  /**
   * With `reject` or `release` only: why the job failed, at most {@link MAX_ACK_REASON_LENGTH}
   * characters. When the ack archives the record (a reject, or a release at the delivery
   * limit) the dead-letter copy carries it as header `shoal.dlq.error`; otherwise it is dropped.
   */
  reason?: string;
}

/** The longest `reason` an acknowledgement may carry, in characters (UTF-16 code units). */
export const MAX_ACK_REASON_LENGTH = 1_000;

/** One acknowledgement's result: `error` is null when it applied, else `INVALID_RECORD_STATE`. */
export interface AckResult {
  topic: string;
  partition: number;
  offset: number;
  lastOffset?: number;
  error: string | null;
}

/** `POST /v1/share-groups/{group}/members` body. */
export interface JoinShareGroupRequest {
  topics: string[];
  sessionTimeoutMs?: number;
}

export interface JoinShareGroupResponse {
  memberId: string;
  assignment: TopicPartition[];
  heartbeatIntervalMs: number;
}

/** `POST …/members/{memberId}/fetch` body: acks ride along and apply before the fetch acquires. */
export interface ShareFetchRequest {
  maxRecords?: number;
  maxWaitMs?: number;
  acks?: Acknowledgement[];
}

/** A record acquired by a share-group member, locked to it until `lockExpiresAt`. */
export interface AcquiredRecord extends WireRecord {
  deliveryCount: number;
  lockExpiresAt: number;
  /**
   * The most deliveries this record asked for (its `attempts` at produce, the `shoal.attempts`
   * header), when it asked: at most that many, and never more than the group's limit.
   */
  attempts?: number;
}

export interface ShareFetchResponse {
  records: AcquiredRecord[];
  ackResults: AckResult[];
}

/** A share group's configuration. */
export interface ShareGroupConfigView {
  recordLockDurationMs: number;
  deliveryCountLimit: number;
  maxInFlightRecordsPerPartition: number;
  autoOffsetReset: AutoOffsetReset;
  deadLetterTopic: string | null;
  /**
   * Fetches fill from these topics in this order (topics not listed come last); shown once a
   * flow setting was set. `null` clears it.
   */
  topicPriority?: string[] | null;
  /** With `topicPriority`: the share of each fetch kept for lower-priority topics (0–0.9, default 0.1). */
  lowerPriorityShare?: number;
  /** The most records the group's fetches hand out per second, over all members and brokers; `null`: no limit. */
  maxRecordsPerSecond?: number | null;
}

/** `GET /v1/share-groups/{group}`. */
export interface ShareGroupDescription {
  group: string;
  config: ShareGroupConfigView;
  /** `protocol`: how the member joined — over HTTP, or through Kafka's ShareGroupHeartbeat. */
  members: { memberId: string; assignment: TopicPartition[]; protocol?: 'http' | 'kafka' }[];
  partitions: {
    topic: string;
    partition: number;
    startOffset: number;
    endOffset: number;
    available: number;
    acquired: number;
    acknowledged: number;
    archived: number;
    lag: number;
    /**
     * False for a partition of a subscribed topic the group has not fetched from yet: shown as a
     * fetch would open it now, at the group's reset point, with its lag counted.
     */
    opened?: boolean;
  }[];
}
