/* The numeric bounds of request fields, where the schemas (and the broker's checks) read them. */
/** Kafka's rule for topic and group names. */
export const NAME_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;
/** Partition counts a topic may have. */
export const MIN_PARTITIONS = 1;
/** Partition counts a topic may have. */
export const MAX_PARTITIONS = 10_000;
/** Records one produce request may carry. */
export const MAX_RECORDS_PER_PRODUCE = 10_000;
/** The most records one read or fetch may ask for. */
export const MAX_FETCH_RECORDS = 10_000;
/** Records a read or fetch answers when the request names no number. */
export const DEFAULT_FETCH_RECORDS = 500;
/** The longest a read or fetch may wait for a record. */
export const MAX_WAIT_MS = 300_000;
/** Session timeouts a member may ask for (Kafka's broker bounds are wider; the contract's). */
export const MIN_SESSION_TIMEOUT_MS = 1_000;
export const MAX_SESSION_TIMEOUT_MS = 3_600_000;
/** The longest `reason` an acknowledgement may carry, in characters (UTF-16 code units). */
export const MAX_ACK_REASON_LENGTH = 1_000;
/** The largest `progress` value a handler may store with its job, as JSON text in UTF-8 bytes. */
export const MAX_JOB_PROGRESS_BYTES = 4_096;
/** The largest `result` an accept may carry for its job, as JSON text in UTF-8 bytes. */
export const MAX_JOB_RESULT_BYTES = 65_536;
/** How long a share group may keep its jobs' results and outcomes: 0 (off) to 30 days. */
export const RESULT_RETENTION_MS_RANGE = [0, 30 * 86_400_000];
/** The largest value a JavaScript number holds exactly. */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/**
 * Ranges of a share group's numeric settings: Kafka's broker bounds, as the contract states them,
 * except `deliveryCountLimit`, which reaches down to 1 (run once, never redelivered: BullMQ's
 * default) and up to 1,000 (a job retried with delays over days) where Kafka allows 2 to 10.
 */
export const SHARE_CONFIG_RANGES = {
    recordLockDurationMs: [1_000, 3_600_000],
    deliveryCountLimit: [1, 1_000],
    maxInFlightRecordsPerPartition: [100, 10_000],
};
export const LOWER_PRIORITY_SHARE_RANGE = [0, 0.9];
export const MAX_RECORDS_PER_SECOND_RANGE = [0.1, 1_000_000];
/** The largest timestamp a JavaScript Date can hold. */
export const MAX_TIMESTAMP = 8_640_000_000_000_000;
/** The longest `delayMs` a produced record may ask for: a year. */
export const MAX_DELAY_MS = 366 * 86_400_000;
/** The longest `idempotencyKey`, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;
/** The most deliveries a produced record may ask for (`attempts`). */
export const MAX_ATTEMPTS = 1_000;
/** Shortest and longest `everyMs` of a schedule: a second, a year. */
export const EVERY_MS_RANGE = [1_000, 366 * 86_400_000];
//# sourceMappingURL=limits.js.map