/* The wire types of @shoal/protocol as JSON Schema (OpenAPI 3.1), for /openapi.json. */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const int = (description?: string): Schema => ({
  type: 'integer',
  minimum: 0,
  ...(description ? { description } : {}),
});
const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });

/** An object schema; every property is required unless its name is in `optional`. */
function object(properties: Record<string, Schema>, optional: string[] = []): Schema {
  const required = Object.keys(properties).filter((k) => !optional.includes(k));
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

const topicPartition = object({ topic: str(), partition: int() });
const headers: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const headerList: Schema = {
  ...arrayOf(
    object(
      {
        name: str(),
        value: nullable(str('the value as text; null for a null header value')),
        valueBase64: str('the value as bytes, padded base64'),
      },
      ['value', 'valueBase64'],
    ),
  ),
  description: 'every header in order, repeats kept, with exactly one of value and valueBase64 each',
};
const keyBase64 = str('a key of any bytes, padded base64 (instead of key)');
const tombstone: Schema = {
  type: 'boolean',
  description: "true: a null value (Kafka's tombstone), distinct from the JSON value null and from empty bytes",
};
const wireRecord = object(
  {
    topic: str(),
    partition: int(),
    offset: int(),
    timestamp: int('ms since the epoch'),
    key: { ...nullable(str()), description: 'absent when the key is not UTF-8: keyBase64 holds it' },
    keyBase64: str('the key as bytes, only when they are not UTF-8'),
    value: { description: 'a JSON value (records produced with value)' },
    valueBase64: str('raw bytes, base64 (records produced with valueBase64)'),
    tombstone: { ...tombstone, const: true },
    headers: { ...headers, description: 'the text-valued headers (for a repeated name the last)' },
    headerList: {
      ...headerList,
      description: 'only when headers cannot hold every header exactly: all of them, in order',
    },
  },
  ['key', 'keyBase64', 'value', 'valueBase64', 'tombstone', 'headerList'],
);
const resetTarget: Schema = {
  oneOf: [{ type: 'string', enum: ['earliest', 'latest'] }, object({ offset: int() }), object({ timestamp: int() })],
};
const ackType: Schema = { type: 'string', enum: ['accept', 'release', 'reject', 'renew'] };
const acknowledgement = object(
  {
    topic: str(),
    partition: int(),
    offset: int(),
    lastOffset: int(),
    type: ackType,
    delayMs: int(),
    delivered: {
      type: 'boolean',
      description: 'release only: false = never handed to the application, its delivery count goes back down by one',
    },
    reason: { type: 'string', maxLength: 1000 },
  },
  ['lastOffset', 'delayMs', 'delivered', 'reason'],
);
const ackResult = object({ topic: str(), partition: int(), offset: int(), lastOffset: int(), error: nullable(str()) }, [
  'lastOffset',
]);
const topicConfig = object(
  {
    retentionMs: nullable(int()),
    retentionBytes: nullable(int()),
    idempotencyWindowMs: nullable(int()),
    retentionRespectsShareGroups: nullable({
      type: 'boolean',
      description: "retention never deletes a share group's unfinished records (default true)",
    }),
    completedMaxAgeMs: nullable(int('delete records every reading group has finished once this old')),
    completedMaxCount: nullable(int('keep at most this many finished records per partition')),
  },
  [
    'retentionMs',
    'retentionBytes',
    'idempotencyWindowMs',
    'retentionRespectsShareGroups',
    'completedMaxAgeMs',
    'completedMaxCount',
  ],
);
const shareConfig = object(
  {
    recordLockDurationMs: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
    deliveryCountLimit: { type: 'integer', minimum: 1, maximum: 1000 },
    maxInFlightRecordsPerPartition: { type: 'integer', minimum: 1 },
    autoOffsetReset: { type: 'string', enum: ['latest', 'earliest'] },
    deadLetterTopic: nullable(str()),
    topicPriority: nullable(arrayOf(str())),
    lowerPriorityShare: { type: 'number', minimum: 0, maximum: 0.9 },
    maxRecordsPerSecond: nullable({ type: 'integer', minimum: 1 }),
  },
  [
    'recordLockDurationMs',
    'deliveryCountLimit',
    'maxInFlightRecordsPerPartition',
    'autoOffsetReset',
    'deadLetterTopic',
    'topicPriority',
    'lowerPriorityShare',
    'maxRecordsPerSecond',
  ],
);
const apiKey = object({
  id: str(),
  principal: str(),
  description: nullable(str()),
  createdAt: int(),
  revokedAt: nullable(int()),
});
const acl = object({
  id: int(),
  principal: str(),
  resourceType: str(),
  patternType: str(),
  resourceName: str(),
  operation: str(),
});
const schedule = object({
  name: str(),
  topic: str(),
  cron: nullable(str()),
  everyMs: nullable(int()),
  timezone: nullable(str()),
  record: { type: 'object' },
  paused: { type: 'boolean' },
  nextRunAt: nullable(int()),
  lastRunAt: nullable(int()),
});

export const SCHEMAS: Record<string, Schema> = {
  Error: object({ error: object({ code: ref('ErrorCode'), message: str() }) }),
  TopicPartition: topicPartition,
  WireRecord: wireRecord,
  TopicConfig: topicConfig,
  CreateTopicRequest: object(
    { name: str(), partitions: { type: 'integer', minimum: 1, maximum: 10000 }, config: topicConfig },
    ['config'],
  ),
  UpdateTopicRequest: object({ partitions: { type: 'integer', minimum: 1, maximum: 10000 }, config: topicConfig }, [
    'partitions',
    'config',
  ]),
  TopicDescription: object({
    name: str(),
    config: topicConfig,
    partitions: arrayOf(object({ partition: int(), startOffset: int(), endOffset: int() })),
  }),
  TopicList: object({ topics: arrayOf(object({ name: str(), partitions: int() })) }),
  ProduceRequest: object({
    records: arrayOf(
      object(
        {
          key: nullable(str()),
          keyBase64,
          value: { description: 'a JSON value' },
          valueBase64: str(),
          tombstone,
          headers,
          headerList,
          partition: int(),
          timestamp: int(),
          deliverAt: int('append at this time (ms since the epoch): the record is scheduled'),
          delayMs: int('append this many ms from now: the record is scheduled'),
          idempotencyKey: str("within the topic's window, a second record with this key is not appended"),
          attempts: {
            type: 'integer',
            minimum: 1,
            maximum: 1000,
            description: 'deliver at most this many times (the shoal.attempts header): 1 runs it once',
          },
        },
        [
          'key',
          'keyBase64',
          'value',
          'valueBase64',
          'tombstone',
          'headers',
          'headerList',
          'partition',
          'timestamp',
          'deliverAt',
          'delayMs',
          'idempotencyKey',
          'attempts',
        ],
      ),
    ),
  }),
  ProduceResponse: object({
    offsets: arrayOf(
      object(
        {
          partition: int(),
          offset: { type: 'integer', minimum: -1, description: '-1 while a scheduled record waits' },
          duplicate: { type: 'boolean', const: true },
          scheduledId: str(),
          deliverAt: int(),
        },
        ['duplicate', 'scheduledId', 'deliverAt'],
      ),
    ),
  }),
  ReadResponse: object({
    records: arrayOf(ref('WireRecord')),
    nextOffset: int(),
    startOffset: int(),
    endOffset: int(),
  }),
  OffsetForTimestampResponse: object({ offset: int() }),
  JoinConsumerGroupRequest: object(
    {
      topics: arrayOf(str()),
      sessionTimeoutMs: int(),
      autoOffsetReset: { type: 'string', enum: ['latest', 'earliest'] },
    },
    ['sessionTimeoutMs', 'autoOffsetReset'],
  ),
  JoinConsumerGroupResponse: object({
    memberId: str(),
    generation: int(),
    assignment: arrayOf(ref('TopicPartition')),
    heartbeatIntervalMs: int(),
  }),
  ConsumerHeartbeatResponse: object({ generation: int(), assignment: arrayOf(ref('TopicPartition')) }),
  FetchRequest: object({ maxRecords: int(), maxWaitMs: int() }, ['maxRecords', 'maxWaitMs']),
  ConsumerFetchResponse: object({
    records: arrayOf(ref('WireRecord')),
    generation: int(),
    assignment: arrayOf(ref('TopicPartition')),
  }),
  CommitOffsetsRequest: object({
    memberId: str(),
    generation: int(),
    offsets: arrayOf(
      object(
        {
          topic: str(),
          partition: int(),
          offset: int(),
          metadata: str('kept with the offset, at most 4096 UTF-8 bytes'),
        },
        ['metadata'],
      ),
    ),
  }),
  ResetOffsetsRequest: object({ topic: str(), partition: int(), to: resetTarget }, ['partition']),
  ConsumerGroupDescription: object({
    group: str(),
    state: { type: 'string', enum: ['empty', 'stable', 'reconciling'] },
    generation: int(),
    members: arrayOf(
      object({ memberId: str(), assignment: arrayOf(ref('TopicPartition')), clientId: str('Kafka members') }, [
        'clientId',
      ]),
    ),
    offsets: arrayOf(
      object(
        {
          topic: str(),
          partition: int(),
          committedOffset: nullable(int()),
          metadata: str("the latest commit's metadata, when it had one"),
          endOffset: int(),
          lag: int(),
        },
        ['metadata'],
      ),
    ),
    protocol: { type: 'string', enum: ['http', 'kafka'], description: 'who runs the group' },
  }),
  JoinShareGroupRequest: object({ topics: arrayOf(str()), sessionTimeoutMs: int() }, ['sessionTimeoutMs']),
  JoinShareGroupResponse: object({
    memberId: str(),
    assignment: arrayOf(ref('TopicPartition')),
    heartbeatIntervalMs: int(),
  }),
  ShareHeartbeatResponse: object({ assignment: arrayOf(ref('TopicPartition')) }),
  ShareFetchRequest: object({ maxRecords: int(), maxWaitMs: int(), acks: arrayOf(acknowledgement) }, [
    'maxRecords',
    'maxWaitMs',
    'acks',
  ]),
  ShareFetchResponse: object({
    records: arrayOf({
      allOf: [ref('WireRecord')],
      properties: {
        deliveryCount: int(),
        lockExpiresAt: int(),
        attempts: { type: 'integer', minimum: 1, description: "the record's own delivery cap, when it has one" },
      },
    }),
    ackResults: arrayOf(ackResult),
  }),
  AcknowledgeRequest: object({ acks: arrayOf(acknowledgement) }),
  AcknowledgeResponse: object({ results: arrayOf(ackResult) }),
  ShareGroupConfig: shareConfig,
  ShareGroupDescription: object({
    group: str(),
    config: shareConfig,
    members: arrayOf(
      object({
        memberId: str(),
        assignment: arrayOf(ref('TopicPartition')),
        protocol: { type: 'string', enum: ['http', 'kafka'], description: 'How the member joined' },
      }),
    ),
    partitions: arrayOf(
      object({
        topic: str(),
        partition: int(),
        startOffset: int(),
        endOffset: int(),
        available: int(),
        acquired: int(),
        acknowledged: int(),
        archived: int(),
        lag: int(),
        opened: {
          type: 'boolean',
          description:
            'false: a partition of a subscribed topic not fetched yet, shown at the reset point with its lag counted',
        },
      }),
    ),
  }),
  GroupList: object({
    groups: arrayOf(object({ name: str(), state: str(), members: int(), lag: int(), protocol: str() }, ['protocol'])),
    next: nullable(str('the `after` of the next page; null on the last')),
  }),
  InFlightRecordList: object({
    startOffset: int(),
    endOffset: int(),
    records: arrayOf(
      object({
        offset: int(),
        state: { type: 'string', enum: ['available', 'acquired', 'acknowledged', 'archived'] },
        deliveryCount: int(),
        memberId: nullable(str()),
        lockExpiresAt: nullable(int()),
        availableAt: nullable(int()),
      }),
    ),
  }),
  JobView: object(
    {
      topic: str(),
      partition: int(),
      offset: int(),
      state: {
        type: 'string',
        enum: ['scheduled', 'available', 'acquired', 'acknowledged', 'archived', 'finished'],
      },
      outcome: nullable({ type: 'string', enum: ['accepted', 'rejected'] }),
      deliveryCount: int(),
      memberId: nullable(str()),
      lockExpiresAt: nullable(int()),
      availableAt: nullable(int()),
      scheduledId: str(),
      deliverAt: int(),
    },
    ['scheduledId', 'deliverAt'],
  ),
  RedriveRequest: object(
    {
      partition: int(),
      offset: int(),
      lastOffset: int(),
      group: str('redrive into this share group only: its dead-lettered originals become available again in it'),
    },
    ['partition', 'offset', 'lastOffset', 'group'],
  ),
  RedriveResponse: object({ redriven: int(), alreadyRedriven: int(), skipped: int() }),
  CreateApiKeyRequest: object({ principal: str(), description: str() }, ['description']),
  ApiKey: apiKey,
  CreatedApiKey: { allOf: [apiKey], properties: { key: str('the whole key, shown only now') }, required: ['key'] },
  ApiKeyList: object({ apiKeys: arrayOf(apiKey) }),
  CreateAclRequest: object(
    {
      principal: str(),
      resourceType: { type: 'string', enum: ['topic', 'group', 'cluster'] },
      patternType: { type: 'string', enum: ['literal', 'prefix'] },
      resourceName: str(),
      operation: { type: 'string', enum: ['produce', 'read', 'consume', 'admin'] },
    },
    ['patternType'],
  ),
  Acl: acl,
  AclList: object({ acls: arrayOf(acl) }),
  ScheduleRequest: object(
    {
      name: str(),
      topic: str(),
      cron: str('five or six fields'),
      everyMs: int(),
      timezone: str('an IANA zone; UTC by default'),
      record: { type: 'object', description: 'a produce record, without deliverAt, delayMs or idempotencyKey' },
    },
    ['cron', 'everyMs', 'timezone'],
  ),
  Schedule: schedule,
  ScheduleDescription: { allOf: [schedule], properties: { nextRuns: arrayOf(int()) }, required: ['nextRuns'] },
  ScheduleList: object({ schedules: arrayOf(schedule) }),
  ScheduledRecordList: object({
    scheduledRecords: arrayOf(
      object(
        {
          id: str(),
          topic: str(),
          partition: int(),
          deliverAt: int(),
          key: nullable(str()),
          keyBase64: str('the key as bytes, only when they are not UTF-8 (then no key)'),
          value: { description: 'a JSON value' },
          valueBase64: str(),
          tombstone: { ...tombstone, const: true },
          headers,
          headerList,
          idempotencyKey: nullable(str()),
        },
        ['key', 'keyBase64', 'value', 'valueBase64', 'tombstone', 'headerList'],
      ),
    ),
  }),
  Empty: object({}),
  Health: object({ status: str() }, []),
};

export { ref };
