import { MAX_WAIT_MS } from './limits.js';
import { defaulted, named, nullable, optional, s } from './schema.js';
const int = s.integer({ minimum: 0 });
/**
 * A job's state in one share group: `scheduled` (waiting for its `deliverAt`, not in the log
 * yet), the four record states, or `finished` — acknowledged or archived before the
 * share-partition's start offset, where which of the two is known only while the group keeps
 * results (`resultRetentionMs`): `outcome` says it then.
 */
export const JobState = s.enum(['scheduled', 'available', 'acquired', 'acknowledged', 'archived', 'finished']);
/**
 * `GET /v1/share-groups/{group}/topics/{topic}/partitions/{p}/records/{offset}` and
 * `GET /v1/share-groups/{group}/topics/{topic}/idempotency-keys/{key}`: one job as the group sees it now.
 */
export const JobView = named('JobView', s.object({
    topic: s.string(),
    partition: int,
    /** -1 while `scheduled`. */
    offset: s.integer({ minimum: -1 }),
    state: JobState,
    /**
     * `acknowledged`: `accepted`; `archived`: `rejected` (by a reject or at the delivery limit);
     * `finished`: either, while the group keeps results (`resultRetentionMs`); else null.
     */
    outcome: nullable(s.enum(['accepted', 'rejected'])),
    /** Deliveries so far (0: never handed out). */
    deliveryCount: int,
    /** The public half of the member holding it while acquired (as the in-flight view shows it); null once released. */
    memberId: nullable(s.string()),
    /** When the lock runs out, while acquired (as the in-flight view shows it). */
    lockExpiresAt: nullable(int),
    /** A delayed release: not handed out before this time. */
    availableAt: nullable(int),
    /** The last value the handler stored with `ctx.progress` (`POST …/progress`); null if none. */
    progress: nullable(s.any()),
    /** The result its accept carried, while the group keeps results (`resultRetentionMs`); else null. */
    result: nullable(s.any()),
    /** The `reason` of its last reject or release; null if none. */
    reason: nullable(s.string()),
    /** `scheduled`: the id `DELETE …/scheduled/{id}` takes. */
    scheduledId: optional(s.string()),
    /** `scheduled`: when it is appended. */
    deliverAt: optional(int),
}));
/** `?waitMs=` of the job routes: a long poll until the job is acknowledged, archived or finished. */
export const JobWaitQuery = s.object({
    waitMs: defaulted(s.integer({
        minimum: 0,
        maximum: MAX_WAIT_MS,
        description: 'answer once the job is acknowledged, archived or finished, or after this long',
    }), 0),
});
//# sourceMappingURL=job.js.map