import type { ShareGroupConfigView } from '@shoal/protocol';

/** A share group's configuration is the protocol's `ShareGroupConfigView`, as `GET`/`PATCH` show it. */
export const DEFAULT_SHARE_GROUP_CONFIG: ShareGroupConfigView = {
  recordLockDurationMs: 30_000,
  deliveryCountLimit: 5,
  maxInFlightRecordsPerPartition: 2_000,
  autoOffsetReset: 'latest',
  deadLetterTopic: null,
};

/** Ranges of the numeric settings: the protocol's (the request schema checks them). */
export { SHARE_CONFIG_RANGES } from '@shoal/protocol';

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
