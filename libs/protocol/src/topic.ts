/** Per-topic configuration; `null` means "keep forever". */
export interface TopicConfig {
  retentionMs: number | null;
  retentionBytes: number | null;
  /**
   * How long a produced record's `idempotencyKey` is remembered on this topic (ms); shown only
   * when set. Absent or `null`: the broker's `SHOAL_IDEMPOTENCY_WINDOW_MS` (24 h by default).
   */
  idempotencyWindowMs?: number | null;
  /**
   * Time/size retention never deletes past the earliest unfinished record of any share group
   * reading the partition. Shown only when set; absent or `null` means on (the default).
   */
  retentionRespectsShareGroups?: boolean | null;
  /**
   * Completed-job cleanup (like BullMQ's `removeOnComplete`): records that every group reading
   * the partition has finished are deleted once older than this (ms). Shown only when set.
   */
  completedMaxAgeMs?: number | null;
  /** Completed-job cleanup: keep at most this many finished records per partition. Shown only when set. */
  completedMaxCount?: number | null;
}

/** One partition's offsets: `startOffset` is the first stored, `endOffset` the next to be assigned. */
export interface PartitionOffsets {
  partition: number;
  startOffset: number;
  endOffset: number;
}

/** A topic as `GET /v1/topics/{topic}` returns it. */
export interface TopicDescription {
  name: string;
  config: TopicConfig;
  partitions: PartitionOffsets[];
}

/** `POST /v1/topics` body. */
export interface CreateTopicRequest {
  name: string;
  partitions: number;
  config?: Partial<TopicConfig>;
}

/** `PATCH /v1/topics/{topic}` body. */
export interface UpdateTopicRequest {
  partitions?: number;
  config?: Partial<TopicConfig>;
}

/** `GET /v1/topics` answer. */
export interface TopicList {
  topics: { name: string; partitions: number }[];
}

/** Kafka's rule for topic and group names. */
export const NAME_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

/** Partition counts a topic may have. */
export const MIN_PARTITIONS = 1;
/** Partition counts a topic may have. */
export const MAX_PARTITIONS = 10_000;
/** Records one produce request may carry. */
export const MAX_RECORDS_PER_PRODUCE = 10_000;
