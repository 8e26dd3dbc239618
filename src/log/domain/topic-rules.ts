import type { TopicConfig } from '@shoal/protocol';
import { InvalidPartitionsError } from '../../platform/errors/index.js';

export const DEFAULT_TOPIC_CONFIG: TopicConfig = { retentionMs: null, retentionBytes: null };

/** A partition count may stay or grow, never shrink. (Its range is checked at the edge.) */
export function assertPartitionGrowth(current: number, requested: number): void {
  if (requested < current)
    throw new InvalidPartitionsError(`partitions can grow but not shrink (from ${current} to ${requested})`);
}

/** Settings shown only when set: `null` clears them back to the default. */
const OPTIONAL_FIELDS = [
  'idempotencyWindowMs',
  'retentionRespectsShareGroups',
  'completedMaxAgeMs',
  'completedMaxCount',
  'deleteAfterIdleMs',
] as const;

/** Merges a config change into the current config: a field given replaces, `null` clears. (Its values are checked at the edge.) */
export function mergeTopicConfig(current: TopicConfig, change: Partial<TopicConfig> | undefined): TopicConfig {
  if (change === undefined) return current;
  const merged = { ...current };
  for (const field of ['retentionMs', 'retentionBytes'] as const)
    if (change[field] !== undefined) merged[field] = change[field];
  for (const field of OPTIONAL_FIELDS) {
    if (change[field] === null) delete merged[field];
    else if (change[field] !== undefined) (merged as Record<string, unknown>)[field] = change[field];
  }
  return merged;
}
