import { type InFlightRecord, RecordState } from './record-state.js';

/**
 * Consecutive in-flight records with one state, delivery count, holder, lock expiry and
 * availability, as Kafka's share-partition keeps its in-flight batches: [firstOffset,
 * lastOffset], both included. A share-partition's ranges never overlap.
 */
export interface RecordRange extends Omit<InFlightRecord, 'offset'> {
  firstOffset: number;
  lastOffset: number;
}

/** The most records one range is expanded into, or one write is given: a fetch is ≤ 10,000. */
export const MAX_EXPANDED = 100_000;

/** The longest range neighbours are merged into (an acquisition from the log is at most a fetch, ≤ 10,000). */
export const MAX_MERGED = 10_000;

/** The number of records in a range. */
export const rangeLength = (r: RecordRange): number => r.lastOffset - r.firstOffset + 1;

/** Same outcome: the same state, delivery count, holder, lock expiry and availability. */
export function sameOutcome(a: Omit<InFlightRecord, 'offset'>, b: Omit<InFlightRecord, 'offset'>): boolean {
  return (
    a.state === b.state &&
    a.deliveryCount === b.deliveryCount &&
    a.memberId === b.memberId &&
    a.lockExpiresAt === b.lockExpiresAt &&
    a.availableAt === b.availableAt
  );
}

/** The record at `offset` of a range that holds it. */
export function recordAt(range: RecordRange, offset: number): InFlightRecord {
  return {
    offset,
    state: range.state,
    deliveryCount: range.deliveryCount,
    memberId: range.memberId,
    lockExpiresAt: range.lockExpiresAt,
    availableAt: range.availableAt,
  };
}

/** The records of `ranges` (in offset order) from `from`, at most `limit`. */
export function expand(ranges: readonly RecordRange[], limit: number, from = 0): InFlightRecord[] {
  if (limit > MAX_EXPANDED) throw new RangeError(`at most ${MAX_EXPANDED} records are expanded at once`);
  const records: InFlightRecord[] = [];
  for (const range of ranges) {
    for (let o = Math.max(from, range.firstOffset); o <= range.lastOffset && records.length < limit; o++)
      records.push(recordAt(range, o));
    if (records.length >= limit) break;
  }
  return records;
}

/** The records of `ranges` (in offset order) at offsets in [from, to], by offset. */
export function recordsIn(ranges: readonly RecordRange[], from: number, to: number): Map<number, InFlightRecord> {
  const records = new Map<number, InFlightRecord>();
  for (const range of ranges)
    for (let o = Math.max(from, range.firstOffset); o <= Math.min(to, range.lastOffset); o++)
      records.set(o, recordAt(range, o));
  return records;
}

/** Accepted or archived: the start may move past it. */
export const isFinal = (state: RecordState): boolean =>
  state === RecordState.Acknowledged || state === RecordState.Archived;

/** Records coalesced into ranges: consecutive offsets with the same outcome form one. */
export function rangesOf(records: Iterable<InFlightRecord>): RecordRange[] {
  const sorted = [...records].sort((a, b) => a.offset - b.offset);
  if (sorted.length > MAX_EXPANDED) throw new RangeError(`at most ${MAX_EXPANDED} records are written at once`);
  const ranges: RecordRange[] = [];
  for (const { offset, ...outcome } of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last.lastOffset === offset - 1 && sameOutcome(last, outcome)) last.lastOffset = offset;
    else if (last && last.lastOffset >= offset) throw new RangeError(`offset ${offset} is written twice`);
    else ranges.push({ ...outcome, firstOffset: offset, lastOffset: offset });
  }
  return ranges;
}

/**
 * `existing` (in offset order, not overlapping) with `changes` laid over them: the parts of
 * existing ranges outside every change are kept (split at most in three per change), and
 * neighbours with the same outcome are merged up to {@link MAX_MERGED} records. Answers
 * ranges in offset order.
 */
export function overlay(existing: readonly RecordRange[], changes: readonly RecordRange[]): RecordRange[] {
  const pieces: RecordRange[] = [...changes];
  let c = 0;
  for (const range of existing) {
    let from = range.firstOffset;
    while (c < changes.length && changes[c].lastOffset < from) c++;
    for (let i = c; i < changes.length && changes[i].firstOffset <= range.lastOffset && from <= range.lastOffset; i++) {
      if (changes[i].firstOffset > from)
        pieces.push({ ...range, firstOffset: from, lastOffset: changes[i].firstOffset - 1 });
      from = Math.max(from, changes[i].lastOffset + 1);
    }
    if (from <= range.lastOffset) pieces.push({ ...range, firstOffset: from, lastOffset: range.lastOffset });
  }
  pieces.sort((a, b) => a.firstOffset - b.firstOffset);
  const merged: RecordRange[] = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    const mergeable =
      last !== undefined &&
      last.lastOffset === piece.firstOffset - 1 &&
      piece.lastOffset - last.firstOffset < MAX_MERGED &&
      sameOutcome(last, piece);
    if (mergeable) last.lastOffset = piece.lastOffset;
    else merged.push({ ...piece });
  }
  return merged;
}

/**
 * Where a write left the start: past the final ranges it deleted from the window's start.
 * `settled` when that is exactly the new start (the range there is not final, or it is the
 * end); else records beyond what the write saw may be final too.
 */
export interface StartHint {
  start: number;
  settled: boolean;
}

/** Takes the final ranges at the window's start off `next` (they are deleted, not written). */
export function dropLeadingFinal(next: RecordRange[], window: { startOffset: number; endOffset: number }): StartHint {
  let start = window.startOffset;
  while (next.length > 0 && next[0].firstOffset === start && isFinal(next[0].state))
    start = next.shift()!.lastOffset + 1;
  const settled =
    start === window.endOffset || (next.length > 0 && next[0].firstOffset === start && !isFinal(next[0].state));
  return { start, settled };
}
