/**
 * How much one read or fetch may ask for, through either front door: the HTTP DTOs and the
 * Kafka handlers both take their bounds from here.
 */

/** The most records one read, consumer fetch or share fetch answers (Kafka: per Fetch partition, per ShareFetch). */
export const MAX_FETCH_RECORDS = 10_000;
/** Records a read or fetch answers when the request names no number (a ShareFetch's MaxRecords unset). */
export const DEFAULT_FETCH_RECORDS = 500;

/** The longest an HTTP read, consumer fetch or share fetch may wait for a record. */
export const MAX_WAIT_MS = 300_000;
/** The longest a Kafka ShareFetch waits, whatever its MaxWaitMs. */
export const MAX_SHARE_FETCH_WAIT_MS = 60_000;
/** The longest a Kafka Fetch waits, whatever its MaxWaitMs. */
export const MAX_FETCH_WAIT_MS = 30_000;
/** The longest one sleep of a waiting Kafka JoinGroup or SyncGroup between two looks at its group. */
export const MAX_GROUP_LOOK_MS = 1_000;
