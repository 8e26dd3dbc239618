import type { ShareGroupConfigView } from '@shoal/protocol';

/** A share group's configuration is the protocol's `ShareGroupConfigView`, as `GET`/`PATCH` show it. */
export const DEFAULT_SHARE_GROUP_CONFIG: ShareGroupConfigView = {
  recordLockDurationMs: 30_000,
  deliveryCountLimit: 5,
  maxInFlightRecordsPerPartition: 2_000,
  autoOffsetReset: 'latest',
  deadLetterTopic: null,
};

/**
 * Ranges of the numeric settings: Kafka's broker bounds, as the contract states them, except
 * `deliveryCountLimit`, which reaches down to 1 (run once, never redelivered: BullMQ's default)
 * and up to 1,000 (a job retried with delays over days) where Kafka allows 2 to 10.
 */
export const SHARE_CONFIG_RANGES = {
  recordLockDurationMs: [1_000, 3_600_000],
  deliveryCountLimit: [1, 1_000],
  maxInFlightRecordsPerPartition: [100, 10_000],
} as const;

/**
 * Where a share-partition the group has not opened yet would start if a fetch opened it now:
 * the group's reset point, the log's start ("earliest") or end ("latest").
 */
export function resetPoint(
  autoOffsetReset: ShareGroupConfigView['autoOffsetReset'],
  log: { startOffset: number; endOffset: number },
): number {
  return autoOffsetReset === 'earliest' ? log.startOffset : log.endOffset;
}
