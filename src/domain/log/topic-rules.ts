import { MAX_PARTITIONS, MIN_PARTITIONS, type TopicConfig } from '@shoal/protocol';
import { InvalidConfigError, InvalidPartitionsError } from '../errors/index.js';

export const DEFAULT_TOPIC_CONFIG: TopicConfig = { retentionMs: null, retentionBytes: null };

export function assertPartitionCount(count: unknown): asserts count is number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < MIN_PARTITIONS || count > MAX_PARTITIONS) {
    throw new InvalidPartitionsError(`partitions must be an integer from ${MIN_PARTITIONS} to ${MAX_PARTITIONS}`);
  }
}

/** A partition count may stay or grow, never shrink. */
export function assertPartitionGrowth(current: number, requested: number): void {
  assertPartitionCount(requested);
  if (requested < current) throw new InvalidPartitionsError(`partitions can grow but not shrink (from ${current} to ${requested})`);
}

/** Merges a config change into the current config: a field given replaces, `null` clears. */
export function mergeTopicConfig(current: TopicConfig, change: unknown): TopicConfig {
  if (change === undefined) return current;
  if (typeof change !== 'object' || change === null || Array.isArray(change)) throw new InvalidConfigError('config must be an object');
  const merged = { ...current };
  for (const [field, value] of Object.entries(change)) {
    if (field !== 'retentionMs' && field !== 'retentionBytes') throw new InvalidConfigError(`unknown config field ${JSON.stringify(field)}`);
    if (value !== null && (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)) {
      throw new InvalidConfigError(`${field} must be a positive integer or null`);
    }
    merged[field] = value;
  }
  return merged;
}
