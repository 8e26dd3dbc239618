import { DEFAULT_SECURITY, type ShoalConfig } from '../config/shoal-config.js';
import { QuotaExceededError } from '../platform/errors/index.js';
import type { Sql } from '../storage/database.js';
import { quotaStore } from './storage/quota.store.js';

function limits(config: ShoalConfig | undefined) {
  return config?.security ?? DEFAULT_SECURITY;
}

/** Refuses a topic change that would take the broker past `SHOAL_MAX_TOPICS` or `SHOAL_MAX_PARTITIONS`. */
export async function assertTopicQuota(
  sql: Sql,
  config: ShoalConfig | undefined,
  addedTopics: number,
  addedPartitions: number,
): Promise<void> {
  const { maxTopics, maxPartitions } = limits(config);
  const totals = await quotaStore.topicTotals(sql);
  if (totals.topics + addedTopics > maxTopics)
    throw new QuotaExceededError(`the broker has ${totals.topics} topics`, maxTopics, 'SHOAL_MAX_TOPICS');
  if (totals.partitions + addedPartitions > maxPartitions)
    throw new QuotaExceededError(
      `the broker has ${totals.partitions} partitions, ${addedPartitions} more asked`,
      maxPartitions,
      'SHOAL_MAX_PARTITIONS',
    );
}

/** Refuses creating a group past `SHOAL_MAX_GROUPS` (consumer and share groups together). */
export async function assertGroupQuota(sql: Sql, config: ShoalConfig | undefined, name: string): Promise<void> {
  const { maxGroups } = limits(config);
  const { exists, count } = await quotaStore.groups(sql, name);
  if (!exists && count >= maxGroups)
    throw new QuotaExceededError(`the broker has ${count} groups`, maxGroups, 'SHOAL_MAX_GROUPS');
}
