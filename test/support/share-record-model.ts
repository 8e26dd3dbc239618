import { type AckEntry, applyAcks } from '../../src/share-groups/domain/acknowledge.js';
import {
  availableAgain,
  type InFlightRecord,
  RecordState,
  type TransitionContext,
  transitions,
} from '../../src/share-groups/domain/record-state.js';

/** What a fetch hands out, as the model and the broker both answer it. */
export interface Handed {
  offset: number;
  deliveryCount: number;
  lockExpiresAt: number;
}

/**
 * The reference for the range store: one share-partition kept as one object per record, as the
 * store kept it before issue 17, with the same transitions. Expiries are applied before every
 * step (applying them earlier changes nothing: a lock that ran out is released with no delay).
 */
export class ShareRecordModel {
  readonly records = new Map<number, InFlightRecord>();
  startOffset = 0;
  endOffset = 0;
  logEndOffset = 0;
  /** Offsets archived, in the order they were: what the dead-letter topic receives. */
  readonly archived: number[] = [];

  constructor(private readonly config: { lockDurationMs: number; deliveryCountLimit: number; maxInFlight: number }) {}

  fetch(now: number, memberId: string, max: number): Handed[] {
    const ctx = this.expire(now);
    const available = [...this.records.values()]
      .filter((r) => r.state === RecordState.Available && (r.availableAt === null || r.availableAt <= now))
      .sort((a, b) => a.offset - b.offset)
      .slice(0, max);
    const acquired = available.map((r) => transitions.acquire(r, memberId, ctx));
    const newTo = Math.min(
      this.logEndOffset,
      this.startOffset + this.config.maxInFlight,
      this.endOffset + max - available.length,
    );
    for (let offset = this.endOffset; offset < newTo; offset++)
      acquired.push(transitions.acquire(this.fresh(offset), memberId, ctx));
    this.endOffset = Math.max(this.endOffset, newTo);
    for (const r of acquired) this.records.set(r.offset, r);
    return acquired.map((r) => ({ offset: r.offset, deliveryCount: r.deliveryCount, lockExpiresAt: r.lockExpiresAt! }));
  }

  acknowledge(now: number, memberId: string, entries: AckEntry[]): (string | null)[] {
    const ctx = this.expire(now);
    const outcome = applyAcks(this.records, memberId, entries, ctx);
    for (const r of outcome.changed.values()) this.records.set(r.offset, r);
    this.archived.push(...outcome.archived.keys());
    this.advance();
    return outcome.errors;
  }

  /** A member leaving: what it holds is released at once (archived at the limit). */
  leave(now: number, memberId: string): void {
    const ctx = this.expire(now);
    for (const r of [...this.records.values()].sort((a, b) => a.offset - b.offset))
      if (r.state === RecordState.Acquired && r.memberId === memberId) this.release(r, ctx);
    this.advance();
  }

  /** The in-flight records from the start, as in force at `now`. */
  view(now: number): InFlightRecord[] {
    this.expire(now);
    return [...this.records.values()].sort((a, b) => a.offset - b.offset);
  }

  private expire(now: number): TransitionContext {
    const ctx = {
      now,
      lockDurationMs: this.config.lockDurationMs,
      deliveryCountLimit: this.config.deliveryCountLimit,
    };
    for (const r of [...this.records.values()].sort((a, b) => a.offset - b.offset))
      if (r.state === RecordState.Acquired && r.lockExpiresAt! <= now) this.release(r, ctx);
    this.advance();
    return ctx;
  }

  private release(record: InFlightRecord, ctx: TransitionContext): void {
    const result = transitions.release(record, ctx, 0);
    this.records.set(record.offset, result.record);
    if (result.archived) this.archived.push(record.offset);
  }

  /** The start moves past leading final records, which are forgotten. */
  private advance(): void {
    for (;;) {
      const first = this.records.get(this.startOffset);
      if (this.startOffset >= this.endOffset || !first) return;
      if (first.state !== RecordState.Acknowledged && first.state !== RecordState.Archived) return;
      this.records.delete(this.startOffset);
      this.startOffset++;
    }
  }

  private fresh(offset: number): InFlightRecord {
    return availableAgain(offset);
  }
}
