import { type AckType, ErrorCode } from '@shoal/protocol';
import {
  type ArchiveReason,
  heldBy,
  type InFlightRecord,
  type TransitionContext,
  transitions,
} from './record-state.js';

/** One acknowledgement entry of one share-partition: a single offset or a range. */
export interface AckEntry {
  offset: number;
  lastOffset: number;
  type: AckType;
  delayMs?: number;
  /**
   * With `release` only, false: the record never reached the application (a worker releasing
   * what it fetched but did not start): its delivery count goes back down by one.
   */
  delivered?: boolean;
  /** With `reject` or `release`: why the job failed, carried to the dead-letter copy. */
  reason?: string;
  /** With `accept`: the job's result, kept while the group keeps results. */
  result?: unknown;
}

export interface AckOutcome {
  /** Per entry, in order: null when applied, else the error code. */
  errors: (string | null)[];
  /** The records whose state changed, as they end up. */
  changed: Map<number, InFlightRecord>;
  /** Records archived by these acks, with why. */
  archived: Map<number, ArchiveReason>;
  /** For archived records whose ack gave a reason: that reason (the `shoal.dlq.error` header). */
  archiveErrors: Map<number, string>;
  /** How many records each type applied to. */
  counts: Record<AckType, number>;
}

/**
 * Applies one member's acks to a share-partition's in-flight records, in order, as if sent
 * one by one: an entry applies to every offset in it only if the member holds them all
 * (acquired by it, lock not run out), else to none. Pure: the caller loads the records and
 * writes back `changed` with a few set-based statements.
 */
export function applyAcks(
  records: Map<number, InFlightRecord>,
  memberId: string,
  entries: AckEntry[],
  ctx: TransitionContext,
): AckOutcome {
  const outcome: AckOutcome = {
    errors: [],
    changed: new Map(),
    archived: new Map(),
    archiveErrors: new Map(),
    counts: { accept: 0, release: 0, reject: 0, renew: 0 },
  };
  const current = (offset: number) => outcome.changed.get(offset) ?? records.get(offset);
  for (const entry of entries) {
    let held = true;
    for (let offset = entry.offset; offset <= entry.lastOffset && held; offset++) {
      const record = current(offset);
      held = record !== undefined && heldBy(record, memberId, ctx.now);
    }
    if (!held) {
      outcome.errors.push(ErrorCode.InvalidRecordState);
      continue;
    }
    for (let offset = entry.offset; offset <= entry.lastOffset; offset++) {
      const record = current(offset)!;
      let next: InFlightRecord;
      if (entry.type === 'accept') next = transitions.accept(record);
      else if (entry.type === 'renew') next = transitions.renew(record, ctx);
      else {
        const result =
          entry.type === 'reject'
            ? transitions.reject(record)
            : entry.delivered === false
              ? transitions.releaseUndelivered(record)
              : transitions.release(record, ctx, entry.delayMs);
        next = result.record;
        if (result.archived) outcome.archived.set(offset, result.archived);
        if (result.archived && entry.reason !== undefined) outcome.archiveErrors.set(offset, entry.reason);
      }
      outcome.changed.set(offset, next);
    }
    outcome.counts[entry.type] += entry.lastOffset - entry.offset + 1;
    outcome.errors.push(null);
  }
  return outcome;
}
