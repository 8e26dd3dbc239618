/**
 * How much one read or fetch may ask for, through either front door: the HTTP DTOs and the
 * Kafka handlers both take their bounds from here (the HTTP ones are @shoal/protocol's).
 */

/**
 * The HTTP contract's bounds (the most records one read, consumer fetch or share fetch answers —
 * Kafka: per Fetch partition, per ShareFetch; the default when none is named; the longest HTTP
 * wait), as @shoal/protocol's schemas state them.
 */
export { DEFAULT_FETCH_RECORDS, MAX_FETCH_RECORDS, MAX_WAIT_MS } from '@shoal/protocol';

/** The longest a Kafka ShareFetch waits, whatever its MaxWaitMs. */
export const MAX_SHARE_FETCH_WAIT_MS = 60_000;
/** The longest a Kafka Fetch waits, whatever its MaxWaitMs. */
export const MAX_FETCH_WAIT_MS = 30_000;
/** The longest one sleep of a waiting Kafka JoinGroup or SyncGroup between two looks at its group. */
export const MAX_GROUP_LOOK_MS = 1_000;
