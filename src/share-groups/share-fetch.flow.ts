import type { TopicPartition } from '@shoal/protocol';
import type { Topic } from '../log/domain/topic.js';
import type { AcquiredStoredRecord } from './domain/acquired-record.js';
import { ByteBudget } from './domain/byte-budget.js';
import type { ShareGroupTransaction } from './share-group.transaction.js';
import { lowerReserve, msUntilToken, priorityTiers, refill, type TokenBucket } from './domain/share-flow.js';
import type { Sql } from '../storage/database.js';
import { type ShareFlowRow, shareGroupFlowStore } from './storage/share-group-flow.store.js';

/** What a fetch may hand out under its group's flow settings. */
export interface FetchFlow {
  /** Records this fetch may acquire: its `maxRecords`, cut by the rate limit. */
  allowance: number;
  topicPriority: string[] | null;
  lowerPriorityShare: number;
  /** The rate limit's bucket as of now, or null without a limit. */
  bucket: TokenBucket | null;
  rate: number | null;
}

/**
 * Reads the group's flow settings (locking its bucket when it has a rate limit) for one fetch;
 * `known`: the settings as read already in this transaction, under the group's lock.
 */
export async function openFlow(
  sql: Sql,
  groupId: number,
  now: number,
  max: number,
  known?: ShareFlowRow | null,
): Promise<FetchFlow> {
  const row = known !== undefined ? known : await shareGroupFlowStore.find(sql, groupId);
  if (!row) return { allowance: max, topicPriority: null, lowerPriorityShare: 0, bucket: null, rate: null };
  const rate = row.maxRecordsPerSecond;
  if (rate === null) return { ...row, allowance: max, bucket: null, rate: null };
  const locked = (await shareGroupFlowStore.find(sql, groupId, true)) ?? row;
  const bucket = refill(locked, rate, now);
  return { ...row, allowance: Math.min(max, Math.floor(bucket.tokens)), bucket, rate };
}

/** Takes the acquired records' tokens; answers how long until the next token when none is left. */
export async function settleFlow(sql: Sql, groupId: number, flow: FetchFlow, acquired: number): Promise<number | null> {
  if (flow.bucket === null || flow.rate === null) return null;
  const bucket = { tokens: flow.bucket.tokens - acquired, refilledAt: flow.bucket.refilledAt };
  await shareGroupFlowStore.saveBucket(sql, groupId, bucket);
  return bucket.tokens >= 1 ? null : msUntilToken(bucket, flow.rate);
}

/**
 * Fills a fetch of `max` from partitions in `order` (already rotated for fairness), tier by
 * tier: first the top tier up to `max` less the lower tiers' reserve, then the lower tiers in
 * order, then the top tier again with whatever the lower ones left.
 */
export async function acquireByPriority<R>(
  order: TopicPartition[],
  flow: FetchFlow,
  max: number,
  acquire: (p: TopicPartition, want: number) => Promise<R[]>,
): Promise<R[]> {
  const tiers = priorityTiers([...new Set(order.map((p) => p.topic))], flow.topicPriority);
  const reserve = lowerReserve(max, flow.lowerPriorityShare, tiers.length);
  const records: R[] = [];
  const fill = async (tier: string[], upTo: number) => {
    for (const p of order) {
      const want = upTo - records.length;
      if (want <= 0) return;
      if (tier.includes(p.topic)) records.push(...(await acquire(p, want)));
    }
  };
  await fill(tiers[0], max - reserve);
  for (const tier of tiers.slice(1)) await fill(tier, max);
  if (reserve > 0) await fill(tiers[0], max);
  return records;
}

/**
 * Up to `max` records from the member's partitions, starting at a rotating one (`rotation`: the
 * next start per member, moved on here), in the group's topic priority and within its rate
 * limit (`tokenInMs`: when the limit lets the next record out, if it held this fetch back), and
 * within `maxBytes` of stored record sizes.
 */
export async function acquireFor(
  tx: ShareGroupTransaction,
  memberId: string,
  assignment: TopicPartition[],
  topics: Map<string, Topic>,
  { max, maxBytes, rotation }: { max: number; maxBytes: number; rotation: Map<string, number> },
): Promise<{ records: AcquiredStoredRecord[]; tokenInMs: number | null }> {
  if (assignment.length === 0) return { records: [], tokenInMs: null };
  const flow = await openFlow(tx.sql, tx.group.id, tx.now, max, tx.flow);
  const start = (rotation.get(memberId) ?? 0) % assignment.length;
  rotation.set(memberId, start + 1);
  const order = assignment.map((_, i) => assignment[(start + i) % assignment.length]);
  // Starting at a partition that moves on every fetch, each partition in turn fills what
  // is left: fair across fetches, and a fetch touches as few partitions as it needs.
  // One byte budget for the whole answer, across every partition it fills from.
  const budget = new ByteBudget(maxBytes);
  const records = await acquireByPriority(order, flow, flow.allowance, async ({ topic, partition }, want) =>
    budget.exhausted ? [] : tx.acquire(topics.get(topic)!, partition, memberId, want, budget),
  );
  return { records, tokenInMs: await settleFlow(tx.sql, tx.group.id, flow, records.length) };
}
