import { ErrorCode } from '@shoal/protocol';

/** What the OpenAPI document says of one route beyond what the code shows. */
export interface RouteDoc {
  summary: string;
  tag: 'topics' | 'records' | 'consumer groups' | 'share groups' | 'operations' | 'security' | 'jobs' | 'health';
  /** A schema name in openapi.schemas.ts, for a JSON body. */
  body?: string;
  /** The success status and its schema name (null: no body). */
  status: number;
  response: string | null;
  /** Error codes this route answers with besides those of every route. */
  errors: ErrorCode[];
  /** Query parameters: name → description (integers unless the name is `after`). */
  query?: Record<string, string>;
}

const E = ErrorCode;
const group = [E.InvalidName, E.UnknownGroup];
const member = [E.InvalidName, E.UnknownGroup, E.UnknownMember];
const body = [E.RequestTooLarge, E.UnsupportedMediaType];

/**
 * Every route the broker serves, keyed `METHOD /path` as in the OpenAPI document. A route
 * added to a controller without an entry here fails test/e2e/openapi.e2e.spec.ts.
 */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /v1/topics': {
    summary: 'Create a topic',
    tag: 'topics',
    body: 'CreateTopicRequest',
    status: 201,
    response: 'TopicDescription',
    errors: [E.InvalidName, E.InvalidPartitions, E.InvalidConfig, E.TopicAlreadyExists, ...body],
  },
  'GET /v1/topics': { summary: 'List topics', tag: 'topics', status: 200, response: 'TopicList', errors: [] },
  'GET /v1/topics/{topic}': {
    summary: 'Describe a topic: partitions with start and end offsets, retention',
    tag: 'topics',
    status: 200,
    response: 'TopicDescription',
    errors: [E.InvalidName, E.UnknownTopic],
  },
  'PATCH /v1/topics/{topic}': {
    summary: 'Grow partitions or change retention',
    tag: 'topics',
    body: 'UpdateTopicRequest',
    status: 200,
    response: 'TopicDescription',
    errors: [E.InvalidName, E.UnknownTopic, E.InvalidPartitions, E.InvalidConfig, ...body],
  },
  'DELETE /v1/topics/{topic}': {
    summary: 'Delete a topic and its records',
    tag: 'topics',
    status: 204,
    response: null,
    errors: [E.InvalidName, E.UnknownTopic],
  },
  'POST /v1/topics/{topic}/records': {
    summary: 'Produce records, all or nothing',
    tag: 'records',
    body: 'ProduceRequest',
    status: 200,
    response: 'ProduceResponse',
    errors: [E.InvalidName, E.UnknownTopic, E.UnknownPartition, E.InvalidRecord, E.RecordTooLarge, ...body],
  },
  'GET /v1/topics/{topic}/partitions/{partition}/records': {
    summary: 'Read records by offset (long poll with maxWaitMs)',
    tag: 'records',
    status: 200,
    response: 'ReadResponse',
    errors: [E.InvalidName, E.UnknownTopic, E.UnknownPartition, E.OffsetOutOfRange],
    query: {
      offset: 'first offset to read (default: the start offset)',
      maxRecords: 'at most this many records (1–10,000, default 500)',
      maxBytes: 'at most about this many bytes',
      maxWaitMs: 'wait up to this long for a record (0–300,000)',
    },
  },
  'GET /v1/topics/{topic}/partitions/{partition}/offsets': {
    summary: 'The first offset at or after a timestamp',
    tag: 'records',
    status: 200,
    response: 'OffsetForTimestampResponse',
    errors: [E.InvalidName, E.UnknownTopic, E.UnknownPartition],
    query: { timestamp: 'ms since the epoch (required)' },
  },
  'POST /v1/consumer-groups/{group}/members': {
    summary: 'Join a consumer group',
    tag: 'consumer groups',
    body: 'JoinConsumerGroupRequest',
    status: 201,
    response: 'JoinConsumerGroupResponse',
    errors: [E.InvalidName, E.UnknownTopic, ...body],
  },
  'POST /v1/consumer-groups/{group}/members/{memberId}/heartbeat': {
    summary: "Renew a member's session; answers its generation and assignment",
    tag: 'consumer groups',
    status: 200,
    response: 'ConsumerHeartbeatResponse',
    errors: member,
  },
  'DELETE /v1/consumer-groups/{group}/members/{memberId}': {
    summary: 'Leave a consumer group',
    tag: 'consumer groups',
    status: 204,
    response: null,
    errors: member,
  },
  'POST /v1/consumer-groups/{group}/members/{memberId}/fetch': {
    summary: "Fetch from the member's positions",
    tag: 'consumer groups',
    body: 'FetchRequest',
    status: 200,
    response: 'ConsumerFetchResponse',
    errors: [...member, ...body],
  },
  'POST /v1/consumer-groups/{group}/offsets': {
    summary: 'Commit offsets with the generation',
    tag: 'consumer groups',
    body: 'CommitOffsetsRequest',
    status: 200,
    response: 'Empty',
    errors: [...member, E.Fenced, E.UnknownTopic, E.UnknownPartition, ...body],
  },
  'POST /v1/consumer-groups/{group}/offsets/reset': {
    summary: "Reset a group's offsets (only while it has no members)",
    tag: 'consumer groups',
    body: 'ResetOffsetsRequest',
    status: 200,
    response: 'Empty',
    errors: [...group, E.GroupNotEmpty, E.UnknownTopic, E.UnknownPartition, ...body],
  },
  'GET /v1/consumer-groups/{group}': {
    summary: 'Describe a consumer group: state, generation, members, committed offsets and lag',
    tag: 'consumer groups',
    status: 200,
    response: 'ConsumerGroupDescription',
    errors: group,
  },
  'DELETE /v1/consumer-groups/{group}': {
    summary: 'Delete a consumer group (only while it has no members)',
    tag: 'consumer groups',
    status: 204,
    response: null,
    errors: [...group, E.GroupNotEmpty],
  },
  'POST /v1/share-groups/{group}/members': {
    summary: 'Join a share group',
    tag: 'share groups',
    body: 'JoinShareGroupRequest',
    status: 201,
    response: 'JoinShareGroupResponse',
    errors: [E.InvalidName, E.UnknownTopic, ...body],
  },
  'POST /v1/share-groups/{group}/members/{memberId}/heartbeat': {
    summary: "Renew a member's session; answers its assignment",
    tag: 'share groups',
    status: 200,
    response: 'ShareHeartbeatResponse',
    errors: member,
  },
  'DELETE /v1/share-groups/{group}/members/{memberId}': {
    summary: 'Leave a share group',
    tag: 'share groups',
    status: 204,
    response: null,
    errors: member,
  },
  'POST /v1/share-groups/{group}/members/{memberId}/fetch': {
    summary: 'Acknowledge (optionally) and acquire records under a lock',
    tag: 'share groups',
    body: 'ShareFetchRequest',
    status: 200,
    response: 'ShareFetchResponse',
    errors: [...member, ...body],
  },
  'POST /v1/share-groups/{group}/members/{memberId}/acks': {
    summary: 'Accept, release, reject or renew acquired records',
    tag: 'share groups',
    body: 'AcknowledgeRequest',
    status: 200,
    response: 'AcknowledgeResponse',
    errors: [...member, E.InvalidRecordState, ...body],
  },
  'GET /v1/share-groups/{group}': {
    summary: 'Describe a share group: config, members, per share-partition window, counts by state and lag',
    tag: 'share groups',
    status: 200,
    response: 'ShareGroupDescription',
    errors: group,
  },
  'PATCH /v1/share-groups/{group}/config': {
    summary: "Change a share group's config (creates the group)",
    tag: 'share groups',
    body: 'ShareGroupConfig',
    status: 200,
    response: 'ShareGroupConfig',
    errors: [E.InvalidName, E.InvalidConfig, E.UnknownTopic, ...body],
  },
  'POST /v1/share-groups/{group}/offsets/reset': {
    summary: "Reset a share group's start offsets (only while it has no members)",
    tag: 'share groups',
    body: 'ResetOffsetsRequest',
    status: 200,
    response: 'Empty',
    errors: [...group, E.GroupNotEmpty, E.UnknownTopic, E.UnknownPartition, ...body],
  },
  'DELETE /v1/share-groups/{group}': {
    summary: 'Delete a share group (only while it has no members)',
    tag: 'share groups',
    status: 204,
    response: null,
    errors: [...group, E.GroupNotEmpty],
  },
  'GET /v1/consumer-groups': {
    summary: 'List consumer groups by page (name, state, members, total lag)',
    tag: 'operations',
    status: 200,
    response: 'GroupList',
    errors: [],
    query: {
      after: 'the last name of the previous page (its `next`)',
      limit: 'groups per page (1–1,000, default 100)',
    },
  },
  'GET /v1/share-groups': {
    summary: 'List share groups by page (name, state, members, total lag)',
    tag: 'operations',
    status: 200,
    response: 'GroupList',
    errors: [],
    query: {
      after: 'the last name of the previous page (its `next`)',
      limit: 'groups per page (1–1,000, default 100)',
    },
  },
  'GET /v1/share-groups/{group}/topics/{topic}/partitions/{partition}/in-flight': {
    summary: "A share-partition's in-flight records: state, holder, delivery count, lock expiry",
    tag: 'operations',
    status: 200,
    response: 'InFlightRecordList',
    errors: [...group, E.UnknownTopic, E.UnknownPartition],
    query: { offset: 'first offset (default: the start offset)', maxRecords: 'at most this many (default 500)' },
  },
  // Issue 28: one job by its identity (ShareJobsController).
  'GET /v1/share-groups/{group}/topics/{topic}/partitions/{partition}/records/{offset}': {
    summary:
      'One job in a share group by offset: state, outcome, delivery count, holder, lock expiry, next availability',
    tag: 'operations',
    status: 200,
    response: 'JobView',
    errors: [...group, E.UnknownTopic, E.UnknownPartition, E.OffsetOutOfRange],
    query: {
      waitMs:
        'a long poll: answer once the job is acknowledged, archived or finished, or after this long (0–300,000, default 0)',
    },
  },
  'GET /v1/share-groups/{group}/topics/{topic}/idempotency-keys/{key}': {
    summary: 'One job in a share group by the idempotency key it was produced with (scheduled or in the log)',
    tag: 'operations',
    status: 200,
    response: 'JobView',
    errors: [...group, E.UnknownTopic, E.UnknownIdempotencyKey],
    query: { waitMs: 'as for the job by offset' },
  },
  'POST /v1/topics/{topic}/redrive': {
    summary:
      'Copy dead-letter records back to the topics in their shoal.dlq.* headers, or (group) make them available again in one share group, once',
    tag: 'operations',
    body: 'RedriveRequest',
    status: 200,
    response: 'RedriveResponse',
    errors: [E.InvalidName, E.UnknownTopic, E.UnknownPartition, E.UnknownGroup, ...body],
  },
  'POST /v1/api-keys': {
    summary: 'Create an API key for a principal (its whole key is answered once)',
    tag: 'security',
    body: 'CreateApiKeyRequest',
    status: 201,
    response: 'CreatedApiKey',
    errors: [...body],
  },
  'GET /v1/api-keys': {
    summary: 'List API keys (never the keys)',
    tag: 'security',
    status: 200,
    response: 'ApiKeyList',
    errors: [],
  },
  'DELETE /v1/api-keys/{id}': {
    summary: 'Revoke an API key, at once on every broker',
    tag: 'security',
    status: 204,
    response: null,
    errors: [E.NotFound],
  },
  'POST /v1/acls': {
    summary: 'Add an allow rule',
    tag: 'security',
    body: 'CreateAclRequest',
    status: 201,
    response: 'Acl',
    errors: [...body],
  },
  'GET /v1/acls': { summary: 'List allow rules', tag: 'security', status: 200, response: 'AclList', errors: [] },
  'DELETE /v1/acls/{id}': {
    summary: 'Delete an allow rule',
    tag: 'security',
    status: 204,
    response: null,
    errors: [E.NotFound],
  },
  'POST /v1/schedules': {
    summary: 'Create or replace a repeating job (cron or everyMs)',
    tag: 'jobs',
    body: 'ScheduleRequest',
    status: 201,
    response: 'Schedule',
    errors: [E.InvalidName, E.UnknownTopic, E.InvalidRecord, E.RecordTooLarge, ...body],
  },
  'GET /v1/schedules': {
    summary: 'List repeating jobs',
    tag: 'jobs',
    status: 200,
    response: 'ScheduleList',
    errors: [],
  },
  'GET /v1/schedules/{name}': {
    summary: 'Describe a repeating job and its next runs',
    tag: 'jobs',
    status: 200,
    response: 'ScheduleDescription',
    errors: [E.InvalidName, E.UnknownSchedule],
  },
  'POST /v1/schedules/{name}/pause': {
    summary: 'Pause a repeating job',
    tag: 'jobs',
    status: 200,
    response: 'Schedule',
    errors: [E.InvalidName, E.UnknownSchedule],
  },
  'POST /v1/schedules/{name}/resume': {
    summary: 'Resume a repeating job from the next tick',
    tag: 'jobs',
    status: 200,
    response: 'Schedule',
    errors: [E.InvalidName, E.UnknownSchedule],
  },
  'DELETE /v1/schedules/{name}': {
    summary: 'Delete a repeating job',
    tag: 'jobs',
    status: 204,
    response: null,
    errors: [E.InvalidName, E.UnknownSchedule],
  },
  'GET /v1/topics/{topic}/scheduled-records': {
    summary: 'Scheduled records waiting to be appended, soonest first',
    tag: 'jobs',
    status: 200,
    response: 'ScheduledRecordList',
    errors: [E.InvalidName, E.UnknownTopic],
    query: { limit: 'at most this many (1–10,000, default 100)' },
  },
  'DELETE /v1/topics/{topic}/scheduled-records/{id}': {
    summary: 'Cancel a scheduled record',
    tag: 'jobs',
    status: 204,
    response: null,
    errors: [E.InvalidName, E.UnknownScheduledRecord],
  },
  'GET /health': { summary: 'Liveness and database check', tag: 'health', status: 200, response: 'Health', errors: [] },
  'GET /metrics': { summary: 'Prometheus metrics (text)', tag: 'health', status: 200, response: null, errors: [] },
};

/** Codes any route may answer with. */
export const COMMON_ERRORS: ErrorCode[] = [E.InvalidRequest, E.Internal, E.Unavailable];
