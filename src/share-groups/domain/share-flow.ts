/** A share group's flow settings: fetch order over topics, and a rate limit (issue 16). */
export interface ShareFlowSettings {
  topicPriority: string[] | null;
  lowerPriorityShare: number;
  maxRecordsPerSecond: number | null;
}

export const DEFAULT_LOWER_PRIORITY_SHARE = 0.1;
export { LOWER_PRIORITY_SHARE_RANGE, MAX_RECORDS_PER_SECOND_RANGE } from '@shoal/protocol';

/** A token bucket's state. */
export interface TokenBucket {
  tokens: number;
  refilledAt: number;
}

/**
 * The bucket holds at most a tenth of a second of records (at least one): a burst after a
 * quiet spell stays small, so the rate holds over any window of a second or more.
 */
export function bucketCapacity(ratePerSecond: number): number {
  return Math.max(1, ratePerSecond / 10);
}

/** The bucket as of `now`. */
export function refill(bucket: TokenBucket, ratePerSecond: number, now: number): TokenBucket {
  const elapsed = Math.max(0, now - bucket.refilledAt);
  return {
    tokens: Math.min(bucketCapacity(ratePerSecond), bucket.tokens + (elapsed * ratePerSecond) / 1000),
    refilledAt: Math.max(now, bucket.refilledAt),
  };
}

/** How long until the bucket holds one whole token. */
export function msUntilToken(bucket: TokenBucket, ratePerSecond: number): number {
  return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) * 1000) / ratePerSecond);
}

/**
 * Topics grouped in fetch order: each listed topic its own tier in list order, the rest last
 * together. Without a priority, one tier holds every topic.
 */
export function priorityTiers(topics: string[], priority: string[] | null): string[][] {
  if (!priority || priority.length === 0) return [topics];
  const listed = priority.filter((t) => topics.includes(t)).map((t) => [t]);
  const rest = topics.filter((t) => !priority.includes(t));
  return rest.length > 0 ? [...listed, rest] : listed;
}

/**
 * The starvation guard: of a fetch of `max`, how many records are kept for the tiers below
 * the first while they have any. At least one when the share is positive and `max` > 1.
 */
export function lowerReserve(max: number, share: number, tiers: number): number {
  if (tiers < 2 || share <= 0 || max < 2) return 0;
  return Math.min(max - 1, Math.max(1, Math.floor(max * share)));
}
