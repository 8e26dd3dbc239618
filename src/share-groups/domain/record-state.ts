/** A record's state in a share-partition: Kafka's ids, which the database holds. */
export enum RecordState {
  Available = 0,
  Acquired = 1,
  Acknowledged = 2,
  Archived = 4,
}

/** Why a record was archived: the `shoal.dlq.reason` header and the metric label. */
export type ArchiveReason = 'rejected' | 'delivery_limit';

/** One in-flight record of a share-partition. */
export interface InFlightRecord {
  offset: number;
  state: RecordState;
  deliveryCount: number;
  memberId: string | null;
  lockExpiresAt: number | null;
  /** For a delayed release: not handed out before this time. */
  availableAt: number | null;
}

/** A record available afresh, with delivery count 0: what a redrive puts back. */
export function availableAgain(offset: number): InFlightRecord {
  return {
    offset,
    state: RecordState.Available,
    deliveryCount: 0,
    memberId: null,
    lockExpiresAt: null,
    availableAt: null,
  };
}

/** What a transition needs to know of the group and the moment. */
export interface TransitionContext {
  now: number;
  lockDurationMs: number;
  deliveryCountLimit: number;
  /**
   * Records that cap their own deliveries below `deliveryCountLimit` (their `shoal.attempts`
   * header), by offset: loaded only for the records a release touches.
   */
  attempts?: ReadonlyMap<number, number>;
}

/** The most deliveries `record` may have: the group's limit, or the record's own attempts if lower. */
export function deliveryLimitOf(record: InFlightRecord, ctx: TransitionContext): number {
  const own = ctx.attempts?.get(record.offset);
  return own === undefined ? ctx.deliveryCountLimit : Math.min(own, ctx.deliveryCountLimit);
}

/** Held by `memberId` right now: acquired by it and its lock not run out. */
export function heldBy(record: InFlightRecord, memberId: string, now: number): boolean {
  return (
    record.state === RecordState.Acquired &&
    record.memberId === memberId &&
    record.lockExpiresAt !== null &&
    record.lockExpiresAt > now
  );
}

/**
 * Every legal transition, in one place. Each answers the record's next state, or the reason
 * it was archived; the delivery-limit rule lives in `release` and nowhere else.
 */
export const transitions = {
  /** available → acquired: the delivery count goes up by one and the lock starts. */
  acquire(record: InFlightRecord, memberId: string, ctx: TransitionContext): InFlightRecord {
    return {
      ...record,
      state: RecordState.Acquired,
      deliveryCount: record.deliveryCount + 1,
      memberId,
      lockExpiresAt: ctx.now + ctx.lockDurationMs,
      availableAt: null,
    };
  },
  /** acquired → acknowledged. */
  accept(record: InFlightRecord): InFlightRecord {
    return { ...record, state: RecordState.Acknowledged, memberId: null, lockExpiresAt: null, availableAt: null };
  },
  /**
   * acquired → available (after `delayMs`, if given); archived instead once the delivery
   * count has reached the limit (the group's, or the record's own `attempts` if lower). Lock
   * expiry and a member leaving are releases too.
   */
  release(
    record: InFlightRecord,
    ctx: TransitionContext,
    delayMs = 0,
  ): { record: InFlightRecord; archived?: ArchiveReason } {
    if (record.deliveryCount >= deliveryLimitOf(record, ctx)) {
      return {
        record: { ...record, state: RecordState.Archived, memberId: null, lockExpiresAt: null, availableAt: null },
        archived: 'delivery_limit',
      };
    }
    return {
      record: {
        ...record,
        state: RecordState.Available,
        memberId: null,
        lockExpiresAt: null,
        availableAt: delayMs > 0 ? ctx.now + delayMs : null,
      },
    };
  },
  /**
   * acquired → available at once, the delivery count one lower: a record released by a member
   * that never handed it to the application, as Kafka lowers the count of records a consumer
   * fetched but never returned when its session closes. Never archives: the count only drops.
   */
  releaseUndelivered(record: InFlightRecord): { record: InFlightRecord; archived?: ArchiveReason } {
    return {
      record: {
        ...record,
        state: RecordState.Available,
        deliveryCount: Math.max(0, record.deliveryCount - 1),
        memberId: null,
        lockExpiresAt: null,
        availableAt: null,
      },
    };
  },
  /** acquired → archived. */
  reject(record: InFlightRecord): { record: InFlightRecord; archived: ArchiveReason } {
    return {
      record: { ...record, state: RecordState.Archived, memberId: null, lockExpiresAt: null, availableAt: null },
      archived: 'rejected',
    };
  },
  /** acquired → acquired, the lock running `lockDurationMs` from now. */
  renew(record: InFlightRecord, ctx: TransitionContext): InFlightRecord {
    return { ...record, lockExpiresAt: ctx.now + ctx.lockDurationMs };
  },
};
