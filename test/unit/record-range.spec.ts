import {
  expand,
  MAX_MERGED,
  overlay,
  type RecordRange,
  rangesOf,
  recordsIn,
} from '../../src/share-groups/domain/record-range.js';
import { type InFlightRecord, RecordState } from '../../src/share-groups/domain/record-state.js';

const acquired = (firstOffset: number, lastOffset: number, memberId = 'm1'): RecordRange => ({
  firstOffset,
  lastOffset,
  state: RecordState.Acquired,
  deliveryCount: 1,
  memberId,
  lockExpiresAt: 5_000,
  availableAt: null,
});
const accepted = (offset: number): InFlightRecord => ({
  offset,
  state: RecordState.Acknowledged,
  deliveryCount: 1,
  memberId: null,
  lockExpiresAt: null,
  availableAt: null,
});
const final = (firstOffset: number, lastOffset: number): RecordRange => ({
  ...acquired(firstOffset, lastOffset),
  state: RecordState.Acknowledged,
  memberId: null,
  lockExpiresAt: null,
});
const bounds = (ranges: RecordRange[]) => ranges.map((r) => [r.firstOffset, r.lastOffset, r.state]);

describe(overlay.name, () => {
  it('splits a batch in three where the middle records get another outcome', () => {
    const next = overlay([acquired(10, 19)], rangesOf([accepted(13), accepted(14)]));
    expect(bounds(next)).toEqual([
      [10, 12, RecordState.Acquired],
      [13, 14, RecordState.Acknowledged],
      [15, 19, RecordState.Acquired],
    ]);
  });

  it('merges neighbours that end with one outcome, and leaves ranges outside the change alone', () => {
    const existing = [acquired(0, 4, 'm2'), acquired(5, 9), final(10, 10)];
    const changes = rangesOf([5, 6, 7, 8, 9].map(accepted));
    expect(bounds(overlay(existing, changes))).toEqual([
      [0, 4, RecordState.Acquired],
      [5, 10, RecordState.Acknowledged],
    ]);
  });

  it(`merges no further than ${MAX_MERGED} records`, () => {
    const existing = [final(0, MAX_MERGED - 1), acquired(MAX_MERGED, MAX_MERGED)];
    expect(bounds(overlay(existing, rangesOf([accepted(MAX_MERGED)])))).toEqual([
      [0, MAX_MERGED - 1, RecordState.Acknowledged],
      [MAX_MERGED, MAX_MERGED, RecordState.Acknowledged],
    ]);
  });
});

describe(rangesOf.name, () => {
  it('coalesces consecutive records with one outcome, in offset order, and refuses an offset twice', () => {
    expect(bounds(rangesOf([accepted(3), accepted(1), accepted(2), accepted(5)]))).toEqual([
      [1, 3, RecordState.Acknowledged],
      [5, 5, RecordState.Acknowledged],
    ]);
    expect(() => rangesOf([accepted(1), accepted(1)])).toThrow(RangeError);
  });
});

describe(expand.name, () => {
  it('answers one record per offset from `from`, at most `limit`, and the records in a span by offset', () => {
    const ranges = [acquired(0, 2), acquired(5, 9, 'm2')];
    expect(expand(ranges, 4, 1).map((r) => [r.offset, r.memberId])).toEqual([
      [1, 'm1'],
      [2, 'm1'],
      [5, 'm2'],
      [6, 'm2'],
    ]);
    expect([...recordsIn(ranges, 2, 6).keys()]).toEqual([2, 5, 6]);
  });
});
