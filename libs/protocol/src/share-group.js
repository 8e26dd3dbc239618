import { AutoOffsetReset, fetchLimits, optionalInt, sessionTimeoutMs, TopicPartition } from './consumer-group.js';
import { LOWER_PRIORITY_SHARE_RANGE, MAX_ACK_REASON_LENGTH, MAX_JOB_PROGRESS_BYTES, MAX_JOB_RESULT_BYTES, MAX_RECORDS_PER_SECOND_RANGE, RESULT_RETENTION_MS_RANGE, SHARE_CONFIG_RANGES, } from './limits.js';
import { ProduceBatches, RecordPosition, WireRecord } from './record.js';
import { extend, named, nullable, optional, s } from './schema.js';
import { Name, names } from './topic.js';
export { MAX_ACK_REASON_LENGTH, MAX_JOB_PROGRESS_BYTES, MAX_JOB_RESULT_BYTES, RESULT_RETENTION_MS_RANGE, } from './limits.js';
const int = s.integer({ minimum: 0 });
const assignment = s.array(TopicPartition);
/** The longest delay a release may ask for: a day. */
export const MAX_RELEASE_DELAY_MS = 86_400_000;
/** The widest range one ack entry may cover. */
export const MAX_ACK_RANGE = 10_000;
/** The most acknowledgements one request may carry. */
export const MAX_ACKS = 10_000;
/** Every acknowledgement type, for checks at run time. */
export const ACK_TYPES = ['accept', 'release', 'reject', 'renew'];
/** An acknowledgement type. */
export const AckType = s.enum(ACK_TYPES);
/**
 * One acknowledgement: a single offset, or the range [offset, lastOffset]. Checked by hand on
 * the broker (`parseAcks`, every worker's hot path), which takes its fields from here.
 */
export const Acknowledgement = s.object({
    topic: Name,
    partition: int,
    offset: int,
    lastOffset: optional(int, { description: `at most offset + ${MAX_ACK_RANGE - 1}` }),
    type: AckType,
    /** With `release`: not handed out again before this many ms. */
    delayMs: optional(s.integer({ minimum: 0, maximum: MAX_RELEASE_DELAY_MS }), {
        description: 'release only: not handed out again before this many ms',
    }),
    /**
     * With `release` only: `false` says the record never reached the application (fetched, never
     * started): it is available again at once and its delivery count goes back down by one.
     */
    delivered: optional(s.boolean(), {
        description: 'release only: false = never handed to the application, its delivery count goes back down by one',
    }),
    /** With `reject` or `release` only: why the job failed; the dead-letter copy carries it. */
    reason: optional(s.string({ maxLength: MAX_ACK_REASON_LENGTH }), {
        description: 'reject or release only: why; an archived record’s dead-letter copy carries it (shoal.dlq.error)',
    }),
    /** With `accept` only: the job's result (any JSON), kept for the group's `resultRetentionMs` (when set). */
    result: optional(s.any(), {
        description: `accept only: the job's result, any JSON of at most ${MAX_JOB_RESULT_BYTES} bytes; kept for the group's resultRetentionMs`,
    }),
});
/**
 * An acknowledgement as the acks and fetch routes take it: it may carry records to produce in
 * its transaction (exactly-once job chaining), appended if and only if this entry applies.
 */
export const ProducingAcknowledgement = extend(Acknowledgement, {
    produce: optional(ProduceBatches, {
        description: 'accept or reject only: records produced in the same transaction, if and only if this entry applies',
    }),
});
const acks = s.array(ProducingAcknowledgement, { maxItems: MAX_ACKS });
/** Where each batch of a `produce` list landed, in its order. */
export const ProducedPositions = s.array(s.array(RecordPosition), {
    description: 'per batch of the produce list, in its order: where each record landed',
});
/** A request's own `produce` list: appended only if every ack of the request applies. */
const requestProduce = optional(ProduceBatches, {
    description: 'records produced in the same transaction if and only if every ack applies; otherwise nothing of the request is applied (TRANSACTION_ABORTED)',
});
/** One acknowledgement's result: `error` is null when it applied, else `INVALID_RECORD_STATE`. */
export const AckResult = s.object({
    topic: s.string(),
    partition: int,
    offset: int,
    lastOffset: optional(int),
    error: nullable(s.string(), {
        description: 'null: applied; INVALID_RECORD_STATE: refused; TRANSACTION_ABORTED: not applied, because another ack of a request carrying produce was refused',
    }),
    produced: optional(ProducedPositions, { description: "the entry's produce list, appended with it" }),
});
/** `POST /v1/share-groups/{group}/members` body. */
export const JoinShareGroupRequest = named('JoinShareGroupRequest', s.object({ topics: names(false), sessionTimeoutMs }));
export const JoinShareGroupResponse = named('JoinShareGroupResponse', s.object({ memberId: s.string(), assignment, heartbeatIntervalMs: int }));
export const ShareHeartbeatResponse = named('ShareHeartbeatResponse', s.object({ assignment }));
/** `POST …/members/{memberId}/fetch` body: acks ride along and apply before the fetch acquires. */
export const ShareFetchRequest = named('ShareFetchRequest', s.object({ ...fetchLimits, acks: optional(acks), produce: requestProduce }));
/** `POST …/members/{memberId}/acks` body. */
export const AcknowledgeRequest = named('AcknowledgeRequest', s.object({ acks, produce: requestProduce }));
export const AcknowledgeResponse = named('AcknowledgeResponse', s.object({
    results: s.array(AckResult),
    produced: optional(ProducedPositions, { description: "the request's produce list, appended with the acks" }),
}));
/** `POST …/members/{memberId}/progress` body: a job's progress, stored with the record its member holds. */
export const JobProgressRequest = named('JobProgressRequest', s.object({
    topic: Name,
    partition: int,
    offset: int,
    /** Any JSON: a percentage, a step name, an object. */
    value: nullable(s.any(), { description: `any JSON of at most ${MAX_JOB_PROGRESS_BYTES} bytes` }),
}));
/** `POST …/members/{memberId}/progress` answer: the record's lock, renewed. */
export const JobProgressResponse = named('JobProgressResponse', s.object({ lockExpiresAt: int }));
/** A record acquired by a share-group member, locked to it until `lockExpiresAt`. */
export const AcquiredRecord = extend(WireRecord, {
    deliveryCount: int,
    lockExpiresAt: int,
    attempts: optional(s.integer({ minimum: 1 }), {
        description: 'the most deliveries this record asked for (its produce `attempts`), when it asked',
    }),
});
export const ShareFetchResponse = named('ShareFetchResponse', s.object({
    records: s.array(AcquiredRecord),
    ackResults: s.array(AckResult),
    produced: optional(ProducedPositions, { description: "the request's produce list, appended with the acks" }),
}));
const config = { code: 'INVALID_CONFIG' };
const range = (r) => optionalInt(r[0], r[1], config);
/** A share group's configuration; as a `PATCH` body every field is optional. */
const shareConfig = {
    recordLockDurationMs: range(SHARE_CONFIG_RANGES.recordLockDurationMs),
    deliveryCountLimit: range(SHARE_CONFIG_RANGES.deliveryCountLimit),
    maxInFlightRecordsPerPartition: range(SHARE_CONFIG_RANGES.maxInFlightRecordsPerPartition),
    autoOffsetReset: optional({ ...AutoOffsetReset, ...config }),
    deadLetterTopic: optional(nullable(Name), { skipNull: true }),
    /** Fetches fill from these topics in this order (topics not listed come last); `null` clears it. */
    topicPriority: optional(nullable(names(true)), {
        skipNull: true,
        description: 'fetches fill from these topics in this order (others last); shown once set; null clears it',
    }),
    lowerPriorityShare: optional(s.number({ minimum: LOWER_PRIORITY_SHARE_RANGE[0], maximum: LOWER_PRIORITY_SHARE_RANGE[1], ...config }), { skipNull: true, description: 'with topicPriority: the share of each fetch kept for lower-priority topics' }),
    maxRecordsPerSecond: optional(nullable(s.number({ minimum: MAX_RECORDS_PER_SECOND_RANGE[0], maximum: MAX_RECORDS_PER_SECOND_RANGE[1], ...config })), { skipNull: true, description: "the most records the group's fetches hand out per second; null: no limit" }),
    /** How long a job's result, outcome and last reason are kept after it finishes; 0 (the default): not kept. */
    resultRetentionMs: optional(s.integer({ minimum: RESULT_RETENTION_MS_RANGE[0], maximum: RESULT_RETENTION_MS_RANGE[1], ...config }), {
        description: "how long a finished job's result (from its accept), outcome and last reason are kept; 0 (default): not kept; shown once set",
    }),
};
/** `PATCH /v1/share-groups/{group}/config` body. */
export const ShareGroupConfigRequest = named('ShareGroupConfig', s.object(shareConfig));
/** A share group's configuration, as `GET` and `PATCH` show it. */
export const ShareGroupConfigView = s.object({
    recordLockDurationMs: int,
    deliveryCountLimit: int,
    maxInFlightRecordsPerPartition: int,
    autoOffsetReset: AutoOffsetReset,
    deadLetterTopic: nullable(s.string()),
    topicPriority: shareConfig.topicPriority,
    lowerPriorityShare: optional(s.number()),
    maxRecordsPerSecond: optional(nullable(s.number())),
    resultRetentionMs: optional(int),
});
/** `GET /v1/share-groups/{group}`. */
export const ShareGroupDescription = named('ShareGroupDescription', s.object({
    group: s.string(),
    config: ShareGroupConfigView,
    members: s.array(s.object({
        memberId: s.string(),
        assignment,
        protocol: optional(s.enum(['http', 'kafka']), {
            description: 'how the member joined: over HTTP, or through Kafka’s ShareGroupHeartbeat',
        }),
    })),
    partitions: s.array(s.object({
        topic: s.string(),
        partition: int,
        startOffset: int,
        endOffset: int,
        available: int,
        acquired: int,
        acknowledged: int,
        archived: int,
        lag: int,
        opened: optional(s.boolean(), {
            description: 'false: a partition of a subscribed topic not fetched yet, shown at the reset point with its lag counted',
        }),
    })),
}));
//# sourceMappingURL=share-group.js.map