import type { ShareGroupConfigView } from '@shoal/protocol';

/** A share group's configuration is the protocol's `ShareGroupConfigView`, as `GET`/`PATCH` show it. */
export const DEFAULT_SHARE_GROUP_CONFIG: ShareGroupConfigView = {
  recordLockDurationMs: 30_000,
  deliveryCountLimit: 5,
  maxInFlightRecordsPerPartition: 2_000,
  autoOffsetReset: 'latest',
  deadLetterTopic: null,
};

/** Ranges of the numeric settings (Kafka's broker bounds, as the contract states them). */
export const SHARE_CONFIG_RANGES = {
  recordLockDurationMs: [1_000, 3_600_000],
  deliveryCountLimit: [2, 10],
  maxInFlightRecordsPerPartition: [100, 10_000],
} as const;
