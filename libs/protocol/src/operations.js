import { NAME_PATTERN } from './limits.js';
import { defaulted, named, nullable, optional, s } from './schema.js';
import { Name } from './topic.js';
const int = s.integer({ minimum: 0 });
/** One group in `GET /v1/consumer-groups` or `GET /v1/share-groups`. */
export const GroupListing = s.object({
    name: s.string(),
    /** Consumer groups: `empty`, `stable` or `reconciling`; share groups: `empty` or `stable`. */
    state: s.string(),
    members: int,
    /** Summed over the group's partitions, as describe counts it. */
    lag: int,
    /** Consumer groups: `http` or `kafka` (who runs the group). */
    protocol: optional(s.string()),
});
/** A page of groups in name order; `next` is the `after` of the following page, null at the end. */
export const GroupList = named('GroupList', s.object({
    groups: s.array(GroupListing),
    next: nullable(s.string(), { description: 'the `after` of the next page; null on the last' }),
}));
/** `GET /v1/consumer-groups` and `GET /v1/share-groups` query: a page after a name. */
export const GroupListQuery = s.object({
    limit: defaulted(s.integer({ minimum: 1, maximum: 1_000, description: 'groups per page' }), 100),
    after: optional(s.string({ maxLength: 249, pattern: NAME_PATTERN, description: 'the last name of the previous page (its `next`)' }), { skipNull: true }),
});
/** A record state as the wire names it. */
export const InFlightState = s.enum(['available', 'acquired', 'acknowledged', 'archived']);
/** One in-flight record of a share-partition. */
export const InFlightRecordView = s.object({
    offset: int,
    state: InFlightState,
    deliveryCount: int,
    /** The member holding its lock, while acquired. */
    memberId: nullable(s.string()),
    lockExpiresAt: nullable(int),
    /** A delayed release: not handed out before this time. */
    availableAt: nullable(int),
});
/** `GET /v1/share-groups/{group}/topics/{topic}/partitions/{p}/in-flight`. */
export const InFlightRecordList = named('InFlightRecordList', s.object({ startOffset: int, endOffset: int, records: s.array(InFlightRecordView) }));
/** `GET …/in-flight` query: records from an offset. */
export const InFlightQuery = s.object({
    offset: defaulted(s.integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'first offset' }), 0),
    maxRecords: defaulted(s.integer({ minimum: 1, maximum: 10_000, description: 'at most this many' }), 500),
});
const offset = optional(s.integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }));
/** `POST /v1/topics/{topic}/redrive` body: every record when no field is given. */
export const RedriveRequest = named('RedriveRequest', s.object({
    partition: optional(s.integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    offset: { ...offset, description: 'first offset to redrive (inclusive)' },
    lastOffset: { ...offset, description: 'last offset to redrive (inclusive)' },
    /**
     * Redrive into this share group only: the original records it dead-lettered become available
     * again in it (delivery count 0) instead of being copied to the source topic.
     */
    group: optional(Name, {
        description: 'redrive into this share group only: its dead-lettered originals become available again in it',
    }),
}));
/** What a redrive did. */
export const RedriveResponse = named('RedriveResponse', s.object({
    /** Records copied back to their source topics (with `group`: made available again in it). */
    redriven: int,
    /** Records redriven before (not copied again). */
    alreadyRedriven: int,
    /** Records without `shoal.dlq.topic` or whose source topic does not exist (not copied), and the like. */
    skipped: int,
}));
/** `{}`: the answer of a commit or a reset. */
export const Empty = named('Empty', s.object({}));
/** `GET /health`. */
export const Health = named('Health', s.object({ status: s.string() }));
//# sourceMappingURL=operations.js.map