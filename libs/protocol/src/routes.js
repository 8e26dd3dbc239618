import { CommitOffsetsRequest, CommitOffsetsResponse, ConsumerFetchRequest, ConsumerFetchResponse, ConsumerGroupDescription, ConsumerHeartbeatResponse, JoinConsumerGroupRequest, JoinConsumerGroupResponse, ResetOffsetsRequest, } from './consumer-group.js';
import { ErrorCode as E } from './error-code.js';
import { JobView, JobWaitQuery } from './job.js';
import { Empty, GroupList, GroupListQuery, Health, InFlightQuery, InFlightRecordList } from './operations.js';
import { RedriveRequest, RedriveResponse } from './operations.js';
import { OffsetForTimestampResponse, OffsetQuery, ProduceRequest, ProduceResponse, ReadQuery } from './record.js';
import { ReadResponse, ScheduledRecordList } from './record.js';
import { ScheduleDescription, ScheduledRecordsQuery, ScheduleList, ScheduleRequest, ScheduleView } from './schedule.js';
import { AclList, AclView, ApiKeyList, CreateAclRequest, CreateApiKeyRequest, CreatedApiKey } from './security.js';
import { AcknowledgeRequest, AcknowledgeResponse, JobProgressRequest, JobProgressResponse, JoinShareGroupRequest, JoinShareGroupResponse, ShareFetchRequest, ShareFetchResponse, ShareGroupConfigRequest, ShareGroupConfigView, ShareGroupDescription, ShareHeartbeatResponse, } from './share-group.js';
import { CreateTopicRequest, TopicDescription, TopicList, UpdateTopicRequest } from './topic.js';
/** Codes any route may answer with. */
export const COMMON_ERRORS = [E.InvalidRequest, E.Internal, E.Unavailable];
const group = [E.InvalidName, E.UnknownGroup];
const member = [E.InvalidName, E.UnknownGroup, E.UnknownMember];
const body = [E.RequestTooLarge, E.UnsupportedMediaType];
const reset = [...group, E.GroupNotEmpty, E.UnknownTopic, E.UnknownPartition, E.OffsetOutOfRange, ...body];
const schedule = [E.InvalidName, E.UnknownSchedule];
const ok = (response) => ({ status: 200, response });
const created = (response) => ({ status: 201, response });
const gone = { status: 204, response: null };
/**
 * Every route the broker serves, keyed `METHOD /path` (OpenAPI's form). The OpenAPI document,
 * the broker's request checks and the shape blocks of docs/http-api.md come from here; a route
 * added to a controller without an entry fails test/e2e/openapi.e2e.spec.ts.
 */
export const ROUTES = {
    'POST /v1/topics': {
        summary: 'Create a topic',
        tag: 'topics',
        body: CreateTopicRequest,
        ...created(TopicDescription),
        errors: [E.InvalidName, E.InvalidPartitions, E.InvalidConfig, E.TopicAlreadyExists, ...body],
    },
    'GET /v1/topics': { summary: 'List topics', tag: 'topics', ...ok(TopicList), errors: [] },
    'GET /v1/topics/{topic}': {
        summary: 'Describe a topic: partitions with start and end offsets, retention',
        tag: 'topics',
        ...ok(TopicDescription),
        errors: [E.InvalidName, E.UnknownTopic],
    },
    'PATCH /v1/topics/{topic}': {
        summary: 'Grow partitions or change retention',
        tag: 'topics',
        body: UpdateTopicRequest,
        ...ok(TopicDescription),
        errors: [E.InvalidName, E.UnknownTopic, E.InvalidPartitions, E.InvalidConfig, ...body],
    },
    'DELETE /v1/topics/{topic}': {
        summary: 'Delete a topic and its records',
        tag: 'topics',
        ...gone,
        errors: [E.InvalidName, E.UnknownTopic],
    },
    'POST /v1/topics/{topic}/records': {
        summary: 'Produce records, all or nothing',
        tag: 'records',
        body: ProduceRequest,
        bodyParser: 'parseProduceBody',
        ...ok(ProduceResponse),
        errors: [E.InvalidName, E.UnknownTopic, E.UnknownPartition, E.InvalidRecord, E.RecordTooLarge, ...body],
    },
    'GET /v1/topics/{topic}/partitions/{partition}/records': {
        summary: 'Read records by offset (long poll with maxWaitMs)',
        tag: 'records',
        query: ReadQuery,
        ...ok(ReadResponse),
        errors: [E.InvalidName, E.UnknownTopic, E.UnknownPartition, E.OffsetOutOfRange],
    },
    'GET /v1/topics/{topic}/partitions/{partition}/offsets': {
        summary: 'The first offset at or after a timestamp',
        tag: 'records',
        query: OffsetQuery,
        ...ok(OffsetForTimestampResponse),
        errors: [E.InvalidName, E.UnknownTopic, E.UnknownPartition],
    },
    'POST /v1/consumer-groups/{group}/members': {
        summary: 'Join a consumer group',
        tag: 'consumer groups',
        body: JoinConsumerGroupRequest,
        ...created(JoinConsumerGroupResponse),
        errors: [E.InvalidName, E.UnknownTopic, ...body],
    },
    'POST /v1/consumer-groups/{group}/members/{memberId}/heartbeat': {
        summary: "Renew a member's session; answers its generation and assignment",
        tag: 'consumer groups',
        ...ok(ConsumerHeartbeatResponse),
        errors: member,
    },
    'DELETE /v1/consumer-groups/{group}/members/{memberId}': {
        summary: 'Leave a consumer group',
        tag: 'consumer groups',
        ...gone,
        errors: member,
    },
    'POST /v1/consumer-groups/{group}/members/{memberId}/fetch': {
        summary: "Fetch from the member's positions",
        tag: 'consumer groups',
        body: ConsumerFetchRequest,
        ...ok(ConsumerFetchResponse),
        errors: [...member, ...body],
    },
    'POST /v1/consumer-groups/{group}/offsets': {
        summary: 'Commit offsets with the generation',
        tag: 'consumer groups',
        body: CommitOffsetsRequest,
        bodyParser: 'parseCommitOffsets',
        ...ok(CommitOffsetsResponse),
        errors: [...member, E.Fenced, E.UnknownTopic, E.UnknownPartition, E.InvalidRecord, E.RecordTooLarge, ...body],
    },
    'POST /v1/consumer-groups/{group}/offsets/reset': {
        summary: "Reset a group's offsets (only while it has no members)",
        tag: 'consumer groups',
        body: ResetOffsetsRequest,
        ...ok(Empty),
        errors: reset,
    },
    'GET /v1/consumer-groups/{group}': {
        summary: 'Describe a consumer group: state, generation, members, committed offsets and lag',
        tag: 'consumer groups',
        ...ok(ConsumerGroupDescription),
        errors: group,
    },
    'DELETE /v1/consumer-groups/{group}': {
        summary: 'Delete a consumer group (only while it has no members)',
        tag: 'consumer groups',
        ...gone,
        errors: [...group, E.GroupNotEmpty],
    },
    'POST /v1/share-groups/{group}/members': {
        summary: 'Join a share group',
        tag: 'share groups',
        body: JoinShareGroupRequest,
        ...created(JoinShareGroupResponse),
        errors: [E.InvalidName, E.UnknownTopic, ...body],
    },
    'POST /v1/share-groups/{group}/members/{memberId}/heartbeat': {
        summary: "Renew a member's session; answers its assignment",
        tag: 'share groups',
        ...ok(ShareHeartbeatResponse),
        errors: member,
    },
    'DELETE /v1/share-groups/{group}/members/{memberId}': {
        summary: 'Leave a share group',
        tag: 'share groups',
        ...gone,
        errors: member,
    },
    'POST /v1/share-groups/{group}/members/{memberId}/fetch': {
        summary: 'Acknowledge (optionally) and acquire records under a lock',
        tag: 'share groups',
        body: ShareFetchRequest,
        bodyParser: 'parseShareFetch',
        ...ok(ShareFetchResponse),
        errors: [...member, E.UnknownTopic, E.UnknownPartition, E.InvalidRecord, E.RecordTooLarge, ...body],
    },
    'POST /v1/share-groups/{group}/members/{memberId}/acks': {
        summary: 'Accept, release, reject or renew acquired records',
        tag: 'share groups',
        body: AcknowledgeRequest,
        bodyParser: 'parseAcknowledge',
        ...ok(AcknowledgeResponse),
        errors: [
            ...member,
            E.InvalidRecordState,
            E.UnknownTopic,
            E.UnknownPartition,
            E.InvalidRecord,
            E.RecordTooLarge,
            ...body,
        ],
    },
    'POST /v1/share-groups/{group}/members/{memberId}/progress': {
        summary: "Store a job's progress with the record the member holds (renews its lock)",
        tag: 'share groups',
        body: JobProgressRequest,
        ...ok(JobProgressResponse),
        errors: [...member, E.InvalidRecordState, ...body],
    },
    'GET /v1/share-groups/{group}': {
        summary: 'Describe a share group: config, members, per share-partition window, counts by state and lag',
        tag: 'share groups',
        ...ok(ShareGroupDescription),
        errors: group,
    },
    'PATCH /v1/share-groups/{group}/config': {
        summary: "Change a share group's config (creates the group)",
        tag: 'share groups',
        body: ShareGroupConfigRequest,
        ...ok(ShareGroupConfigView),
        errors: [E.InvalidName, E.InvalidConfig, E.UnknownTopic, ...body],
    },
    'POST /v1/share-groups/{group}/offsets/reset': {
        summary: "Reset a share group's start offsets (only while it has no members)",
        tag: 'share groups',
        body: ResetOffsetsRequest,
        ...ok(Empty),
        errors: reset,
    },
    'DELETE /v1/share-groups/{group}': {
        summary: 'Delete a share group (only while it has no members)',
        tag: 'share groups',
        ...gone,
        errors: [...group, E.GroupNotEmpty],
    },
    'GET /v1/consumer-groups': {
        summary: 'List consumer groups by page (name, state, members, total lag)',
        tag: 'operations',
        query: GroupListQuery,
        ...ok(GroupList),
        errors: [],
    },
    'GET /v1/share-groups': {
        summary: 'List share groups by page (name, state, members, total lag)',
        tag: 'operations',
        query: GroupListQuery,
        ...ok(GroupList),
        errors: [],
    },
    'GET /v1/share-groups/{group}/topics/{topic}/partitions/{partition}/in-flight': {
        summary: "A share-partition's in-flight records: state, holder, delivery count, lock expiry",
        tag: 'operations',
        query: InFlightQuery,
        ...ok(InFlightRecordList),
        errors: [...group, E.UnknownTopic, E.UnknownPartition],
    },
    'GET /v1/share-groups/{group}/topics/{topic}/partitions/{partition}/records/{offset}': {
        summary: 'One job in a share group by offset: state, outcome, delivery count, holder, lock expiry, next availability',
        tag: 'operations',
        query: JobWaitQuery,
        ...ok(JobView),
        errors: [...group, E.UnknownTopic, E.UnknownPartition, E.OffsetOutOfRange],
    },
    'GET /v1/share-groups/{group}/topics/{topic}/idempotency-keys/{key}': {
        summary: 'One job in a share group by the idempotency key it was produced with (scheduled or in the log)',
        tag: 'operations',
        query: JobWaitQuery,
        ...ok(JobView),
        errors: [...group, E.UnknownTopic, E.UnknownIdempotencyKey],
    },
    'POST /v1/topics/{topic}/redrive': {
        summary: 'Copy dead-letter records back to the topics in their shoal.dlq.* headers, or (group) make them available again in one share group, once',
        tag: 'operations',
        body: RedriveRequest,
        ...ok(RedriveResponse),
        errors: [E.InvalidName, E.UnknownTopic, E.UnknownPartition, E.UnknownGroup, ...body],
    },
    'POST /v1/admin/backup': {
        summary: 'A consistent online copy of the SQLite database, as the answer (application/vnd.sqlite3)',
        tag: 'operations',
        status: 200,
        response: null,
        errors: [E.UnsupportedStorage],
    },
    'POST /v1/api-keys': {
        summary: 'Create an API key for a principal (its whole key is answered once)',
        tag: 'security',
        body: CreateApiKeyRequest,
        ...created(CreatedApiKey),
        errors: [...body],
    },
    'GET /v1/api-keys': { summary: 'List API keys (never the keys)', tag: 'security', ...ok(ApiKeyList), errors: [] },
    'DELETE /v1/api-keys/{id}': {
        summary: 'Revoke an API key, at once on every broker',
        tag: 'security',
        ...gone,
        errors: [E.NotFound],
    },
    'POST /v1/acls': {
        summary: 'Add an allow rule',
        tag: 'security',
        body: CreateAclRequest,
        ...created(AclView),
        errors: [...body],
    },
    'GET /v1/acls': { summary: 'List allow rules', tag: 'security', ...ok(AclList), errors: [] },
    'DELETE /v1/acls/{id}': { summary: 'Delete an allow rule', tag: 'security', ...gone, errors: [E.NotFound] },
    'POST /v1/schedules': {
        summary: 'Create or replace a repeating job (cron or everyMs)',
        tag: 'jobs',
        body: ScheduleRequest,
        bodyParser: 'parseScheduleBody',
        ...created(ScheduleView),
        errors: [E.InvalidName, E.UnknownTopic, E.InvalidRecord, E.RecordTooLarge, ...body],
    },
    'GET /v1/schedules': { summary: 'List repeating jobs', tag: 'jobs', ...ok(ScheduleList), errors: [] },
    'GET /v1/schedules/{name}': {
        summary: 'Describe a repeating job and its next runs',
        tag: 'jobs',
        ...ok(ScheduleDescription),
        errors: schedule,
    },
    'POST /v1/schedules/{name}/pause': {
        summary: 'Pause a repeating job',
        tag: 'jobs',
        ...ok(ScheduleView),
        errors: schedule,
    },
    'POST /v1/schedules/{name}/resume': {
        summary: 'Resume a repeating job from the next tick',
        tag: 'jobs',
        ...ok(ScheduleView),
        errors: schedule,
    },
    'DELETE /v1/schedules/{name}': { summary: 'Delete a repeating job', tag: 'jobs', ...gone, errors: schedule },
    'GET /v1/topics/{topic}/scheduled-records': {
        summary: 'Scheduled records waiting to be appended, soonest first',
        tag: 'jobs',
        query: ScheduledRecordsQuery,
        ...ok(ScheduledRecordList),
        errors: [E.InvalidName, E.UnknownTopic],
    },
    'DELETE /v1/topics/{topic}/scheduled-records/{id}': {
        summary: 'Cancel a scheduled record',
        tag: 'jobs',
        ...gone,
        errors: [E.InvalidName, E.UnknownScheduledRecord],
    },
    'GET /health': { summary: 'Liveness and database check', tag: 'health', ...ok(Health), errors: [] },
    'GET /metrics': { summary: 'Prometheus metrics (text)', tag: 'health', ...ok('text'), errors: [] },
};
//# sourceMappingURL=routes.js.map