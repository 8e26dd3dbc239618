import type { AutoOffsetReset } from '@shoal/protocol';

/** A consumer group's row: its generation and how many partitions its members subscribe to. */
export interface ConsumerGroup {
  id: number;
  name: string;
  generation: number;
  subscriptionSize: number;
}

export interface ConsumerMember {
  memberId: string;
  topics: string[];
  sessionTimeoutMs: number;
  autoOffsetReset: AutoOffsetReset;
  /** The generation in this member's latest answer: what its commits must carry. */
  answeredGeneration: number;
  expiresAt: number;
}

/** One subscribed partition: whom the assignor wants, who holds it, and the holder's position. */
export interface GroupPartition {
  topicId: number;
  partition: number;
  target: string | null;
  owner: string | null;
  position: number | null;
}

/** Session timeouts a member may ask for (Kafka's broker bounds are wider; the contract's). */
export { MAX_SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS } from '@shoal/protocol';
export const DEFAULT_SESSION_TIMEOUT_MS = 45_000;

/** How often a member should heartbeat: a third of its session, at most Kafka's 3 s. */
export function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.min(3_000, Math.floor(sessionTimeoutMs / 3));
}

/** "empty" without members, "reconciling" while a partition waits to change hands, else "stable". */
export function groupState(memberCount: number, partitions: GroupPartition[]): 'empty' | 'stable' | 'reconciling' {
  if (memberCount === 0) return 'empty';
  return partitions.some((p) => p.owner !== p.target) ? 'reconciling' : 'stable';
}

/** Kafka's `offset.metadata.max.bytes` default: a commit's metadata may hold this many UTF-8 bytes. */
export const MAX_OFFSET_METADATA_BYTES = 4096;
