import { DEFAULT_FETCH_RECORDS, MAX_FETCH_RECORDS, MAX_SESSION_TIMEOUT_MS, MAX_WAIT_MS, MIN_SESSION_TIMEOUT_MS, } from './limits.js';
import { ProduceBatches, RecordPosition, WireRecord } from './record.js';
import { defaulted, named, nullable, optional, s } from './schema.js';
import { Name, names } from './topic.js';
const int = s.integer({ minimum: 0 });
/** One partition of one topic. */
export const TopicPartition = named('TopicPartition', s.object({ topic: s.string(), partition: int }));
const assignment = s.array(TopicPartition);
/** Where a consumer group starts a partition that has no committed offset. */
export const AutoOffsetReset = s.enum(['latest', 'earliest']);
/** An optional integer body field in range; `null` is refused. */
export const optionalInt = (minimum, maximum, o = {}) => optional(s.integer({ minimum, maximum, ...o }));
export const sessionTimeoutMs = optionalInt(MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS);
/** A fetch's `maxRecords` and `maxWaitMs` (consumer and share groups). */
export const fetchLimits = {
    maxRecords: defaulted(s.integer({ minimum: 1, maximum: MAX_FETCH_RECORDS }), DEFAULT_FETCH_RECORDS),
    maxWaitMs: defaulted(s.integer({ minimum: 0, maximum: MAX_WAIT_MS }), 0),
};
/** `POST /v1/consumer-groups/{group}/members` body. */
export const JoinConsumerGroupRequest = named('JoinConsumerGroupRequest', s.object({ topics: names(true), sessionTimeoutMs, autoOffsetReset: optional(AutoOffsetReset) }));
/** The answer to a join. */
export const JoinConsumerGroupResponse = named('JoinConsumerGroupResponse', s.object({ memberId: s.string(), generation: int, assignment, heartbeatIntervalMs: int }));
/** The answer to a heartbeat: the member's current view. */
export const ConsumerHeartbeatResponse = named('ConsumerHeartbeatResponse', s.object({ generation: int, assignment }));
/** `POST …/members/{memberId}/fetch` body. */
export const ConsumerFetchRequest = named('FetchRequest', s.object(fetchLimits));
/** The answer to a consumer-group fetch. */
export const ConsumerFetchResponse = named('ConsumerFetchResponse', s.object({ records: s.array(WireRecord), generation: int, assignment }));
/** One committed offset: the next offset to read (Kafka's convention). */
export const OffsetCommit = s.object({
    topic: Name,
    partition: int,
    offset: int,
    /** Kafka's `offset.metadata.max.bytes` (4096): checked in bytes by the service. */
    metadata: optional(s.string({ maxLength: 4096, description: 'kept with the offset, at most 4096 UTF-8 bytes' }), {
        skipNull: true,
    }),
});
/** `POST /v1/consumer-groups/{group}/offsets` body. */
export const CommitOffsetsRequest = named('CommitOffsetsRequest', s.object({
    memberId: s.string({ maxLength: 200 }),
    generation: int,
    offsets: s.array(OffsetCommit, { minItems: 1, maxItems: 10_000 }),
    produce: optional(ProduceBatches, {
        description: 'records produced in the same transaction as the commit, fenced alike (consume-transform-produce)',
    }),
}));
/** `POST /v1/consumer-groups/{group}/offsets` answer: `{}`, or where a `produce` list landed. */
export const CommitOffsetsResponse = named('CommitOffsetsResponse', s.object({
    produced: optional(s.array(s.array(RecordPosition)), {
        description: 'per batch of the produce list, in its order: where each record landed',
    }),
}));
/** Where an offset reset moves a group. */
export const ResetTarget = s.oneOf([
    s.enum(['earliest', 'latest']),
    s.object({ offset: int }),
    s.object({ timestamp: int }),
]);
/** `POST /v1/{consumer,share}-groups/{group}/offsets/reset` body; `to` is checked by `parseResetTarget`. */
export const ResetOffsetsRequest = named('ResetOffsetsRequest', s.object({ topic: Name, partition: optional(int, { skipNull: true }), to: ResetTarget }));
/** The protocol a consumer group's members use. */
export const GroupProtocol = s.enum(['http', 'kafka']);
/** `GET /v1/consumer-groups/{group}`. */
export const ConsumerGroupDescription = named('ConsumerGroupDescription', s.object({
    group: s.string(),
    state: s.enum(['empty', 'stable', 'reconciling']),
    generation: int,
    members: s.array(s.object({ memberId: s.string(), assignment, clientId: optional(s.string({ description: 'Kafka members' })) })),
    offsets: s.array(s.object({
        topic: s.string(),
        partition: int,
        committedOffset: nullable(int),
        metadata: optional(s.string({ description: "the latest commit's metadata, when it had one" })),
        endOffset: int,
        lag: int,
    })),
    protocol: optional(GroupProtocol, {
        description: "who runs the group: Shoal's HTTP routes, or Kafka clients (JoinGroup/SyncGroup)",
    }),
}));
//# sourceMappingURL=consumer-group.js.map