import { MAX_PARTITIONS, MIN_PARTITIONS, NAME_PATTERN } from './limits.js';
import { named, nullable, optional, partialProperties, s } from './schema.js';
export { MAX_PARTITIONS, MAX_RECORDS_PER_PRODUCE, MIN_PARTITIONS, NAME_PATTERN } from './limits.js';
const int = s.integer({ minimum: 0 });
/** A topic or group name (Kafka's rule): 400 INVALID_NAME when it breaks it. */
export const Name = s.string({ pattern: NAME_PATTERN, code: 'INVALID_NAME' });
/** 1 to 1,000 names (`nonEmpty`; else 0 to 1,000). */
export const names = (nonEmpty) => s.array(Name, { maxItems: 1_000, ...(nonEmpty ? { minItems: 1 } : {}) });
const config = { code: 'INVALID_CONFIG' };
/** A config setting: absent, `null` (the default), or a value. */
const setting = (schema, description) => optional(nullable(schema), description ? { description } : {});
/** Per-topic configuration; `null` means "keep forever". */
export const TopicConfig = named('TopicConfig', s.object({
    retentionMs: nullable(s.integer({ positive: true, ...config })),
    retentionBytes: nullable(s.integer({ positive: true, ...config })),
    /**
     * How long a produced record's `idempotencyKey` is remembered on this topic (ms); shown only
     * when set. Absent or `null`: the broker's `SHOAL_IDEMPOTENCY_WINDOW_MS` (24 h by default).
     */
    idempotencyWindowMs: setting(s.integer({ minimum: 1_000, maximum: 30 * 86_400_000, ...config })),
    retentionRespectsShareGroups: optional(nullable(s.boolean(config), {
        description: "retention never deletes a share group's unfinished records (default true)",
    })),
    completedMaxAgeMs: setting(s.integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...config }), 'delete records every reading group has finished once this old'),
    completedMaxCount: setting(s.integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...config }), 'keep at most this many finished records per partition'),
    deleteAfterIdleMs: setting(s.integer({ minimum: 1_000, maximum: Number.MAX_SAFE_INTEGER, ...config }), 'delete the topic once nothing was produced to it or read from it by offset for this long'),
}, config));
/** A topic's config in a request: every field may be left out. */
const configBody = optional(s.object(partialProperties(TopicConfig), config));
/** One partition's offsets: `startOffset` is the first stored, `endOffset` the next to be assigned. */
export const PartitionOffsets = s.object({ partition: int, startOffset: int, endOffset: int });
/** A topic as `GET /v1/topics/{topic}` returns it. */
export const TopicDescription = named('TopicDescription', s.object({ name: s.string(), config: TopicConfig, partitions: s.array(PartitionOffsets) }));
const partitions = s.integer({ minimum: MIN_PARTITIONS, maximum: MAX_PARTITIONS, code: 'INVALID_PARTITIONS' });
/** `POST /v1/topics` body. */
export const CreateTopicRequest = named('CreateTopicRequest', s.object({ name: Name, partitions, config: configBody }));
/** `PATCH /v1/topics/{topic}` body. */
export const UpdateTopicRequest = named('UpdateTopicRequest', s.object({ partitions: optional(partitions, { skipNull: true }), config: configBody }));
/** `GET /v1/topics` answer. */
export const TopicList = named('TopicList', s.object({ topics: s.array(s.object({ name: s.string(), partitions: int })) }));
//# sourceMappingURL=topic.js.map