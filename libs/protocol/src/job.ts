/**
 * A job's state in one share group: `scheduled` (waiting for its `deliverAt`, not in the log
 * yet), the four record states, or `finished` — acknowledged or archived before the
 * share-partition's start offset, where which of the two is no longer kept.
 */
export type JobState = 'scheduled' | 'available' | 'acquired' | 'acknowledged' | 'archived' | 'finished';

/**
 * `GET /v1/share-groups/{group}/topics/{topic}/partitions/{p}/records/{offset}` and
 * `GET /v1/share-groups/{group}/topics/{topic}/idempotency-keys/{key}`: one job as the group sees it now.
 */
export interface JobView {
  topic: string;
  partition: number;
  /** -1 while `scheduled`. */
  offset: number;
  state: JobState;
  /** `acknowledged`: `accepted`; `archived`: `rejected` (by a reject or at the delivery limit); else null. */
  outcome: 'accepted' | 'rejected' | null;
  /** Deliveries so far (0: never handed out). */
  deliveryCount: number;
  /** The public half of the member holding it while acquired (as the in-flight view shows it); null once released. */
  memberId: string | null;
  /** When the lock runs out, while acquired (as the in-flight view shows it). */
  lockExpiresAt: number | null;
  /** A delayed release: not handed out before this time. */
  availableAt: number | null;
  /** `scheduled`: the id `DELETE …/scheduled/{id}` takes, and when it is appended. */
  scheduledId?: string;
  deliverAt?: number;
}
