import { ErrorCode } from '@shoal/protocol';
import { applyAcks } from '../../src/share-groups/domain/acknowledge.js';
import { type InFlightRecord, RecordState, transitions } from '../../src/share-groups/domain/record-state.js';
import { assignShared } from '../../src/share-groups/domain/simple-assignor.js';

const ctx = { now: 1_000, lockDurationMs: 30_000, deliveryCountLimit: 3 };
const acquiredBy = (memberId: string, offset: number, deliveryCount = 1): InFlightRecord => ({
  offset,
  state: RecordState.Acquired,
  deliveryCount,
  memberId,
  lockExpiresAt: ctx.now + 10,
  availableAt: null,
});

describe('share record transitions', () => {
  it('acquire counts a delivery and starts the lock', () => {
    const next = transitions.acquire(
      {
        offset: 0,
        state: RecordState.Available,
        deliveryCount: 1,
        memberId: null,
        lockExpiresAt: null,
        availableAt: null,
      },
      'm',
      ctx,
    );
    expect(next).toMatchObject({ state: RecordState.Acquired, deliveryCount: 2, memberId: 'm', lockExpiresAt: 31_000 });
  });

  it("release archives at the record's own attempts when lower than the group's limit, never above the limit", () => {
    const attempts = new Map([
      [0, 1],
      [1, 2],
      [2, 9],
    ]);
    const own = { ...ctx, attempts };
    expect(transitions.release(acquiredBy('m', 0, 1), own).archived).toBe('delivery_limit');
    expect(transitions.release(acquiredBy('m', 1, 1), own).archived).toBeUndefined();
    expect(transitions.release(acquiredBy('m', 1, 2), own).archived).toBe('delivery_limit');
    expect(transitions.release(acquiredBy('m', 2, 2), own).archived).toBeUndefined();
    expect(transitions.release(acquiredBy('m', 2, 3), own).archived).toBe('delivery_limit'); // the group's 3
    expect(transitions.release(acquiredBy('m', 3, 2), own).archived).toBeUndefined(); // no attempts of its own
    expect(transitions.release(acquiredBy('m', 0, 1), { ...ctx, deliveryCountLimit: 1 }).archived).toBe(
      'delivery_limit',
    );
  });

  it('release makes a record available, after a delay if asked, and archives it at the delivery limit', () => {
    expect(transitions.release(acquiredBy('m', 0, 1), ctx).record).toMatchObject({
      state: RecordState.Available,
      memberId: null,
      availableAt: null,
    });
    expect(transitions.release(acquiredBy('m', 0, 1), ctx, 500).record.availableAt).toBe(1_500);
    const atLimit = transitions.release(acquiredBy('m', 0, 3), ctx);
    expect(atLimit.record.state).toBe(RecordState.Archived);
    expect(atLimit.archived).toBe('delivery_limit');
  });

  it('a release of a record never delivered lowers its delivery count and never archives it, at the limit too', () => {
    for (const count of [1, 3]) {
      const released = transitions.releaseUndelivered(acquiredBy('m', 0, count));
      expect(released.archived).toBeUndefined();
      expect(released.record).toMatchObject({
        state: RecordState.Available,
        deliveryCount: count - 1,
        memberId: null,
        lockExpiresAt: null,
        availableAt: null,
      });
    }
  });
});

describe(applyAcks.name, () => {
  const records = () => new Map([0, 1, 2].map((o) => [o, acquiredBy('m', o)]));

  it('applies entries in order, and refuses what the member does not hold', () => {
    const outcome = applyAcks(
      records(),
      'm',
      [
        { offset: 0, lastOffset: 0, type: 'accept' },
        { offset: 0, lastOffset: 0, type: 'accept' },
        { offset: 1, lastOffset: 1, type: 'reject' },
        { offset: 9, lastOffset: 9, type: 'accept' },
      ],
      ctx,
    );
    expect(outcome.errors).toEqual([null, ErrorCode.InvalidRecordState, null, ErrorCode.InvalidRecordState]);
    expect(outcome.changed.get(0)!.state).toBe(RecordState.Acknowledged);
    expect(outcome.archived.get(1)).toBe('rejected');
    expect(outcome.counts).toEqual({ accept: 1, release: 0, reject: 1, renew: 0 });
  });

  it('applies a range to all of it or none of it', () => {
    const mixed = records();
    mixed.set(2, acquiredBy('other', 2));
    const refused = applyAcks(mixed, 'm', [{ offset: 0, lastOffset: 2, type: 'accept' }], ctx);
    expect(refused.errors).toEqual([ErrorCode.InvalidRecordState]);
    expect(refused.changed.size).toBe(0);
    const applied = applyAcks(records(), 'm', [{ offset: 0, lastOffset: 2, type: 'release', delayMs: 100 }], ctx);
    expect([...applied.changed.values()].map((r) => r.availableAt)).toEqual([1_100, 1_100, 1_100]);
  });

  it('refuses acks by another member and after the lock ran out', () => {
    expect(applyAcks(records(), 'intruder', [{ offset: 0, lastOffset: 0, type: 'accept' }], ctx).errors).toEqual([
      ErrorCode.InvalidRecordState,
    ]);
    expect(
      applyAcks(records(), 'm', [{ offset: 0, lastOffset: 0, type: 'accept' }], { ...ctx, now: ctx.now + 10 }).errors,
    ).toEqual([ErrorCode.InvalidRecordState]);
  });

  it('renews a lock without changing the state or the delivery count', () => {
    const outcome = applyAcks(records(), 'm', [{ offset: 1, lastOffset: 1, type: 'renew' }], {
      ...ctx,
      now: ctx.now + 5,
    });
    expect(outcome.changed.get(1)).toMatchObject({
      state: RecordState.Acquired,
      deliveryCount: 1,
      lockExpiresAt: ctx.now + 5 + 30_000,
    });
  });

  it('keeps the reason of a reject, and of a release only when it archives at the delivery limit', () => {
    const atLimit = new Map(
      [0, 1, 2].map((o) => [o, { ...acquiredBy('m', o), deliveryCount: o === 2 ? ctx.deliveryCountLimit : 1 }]),
    );
    const outcome = applyAcks(
      atLimit,
      'm',
      [
        { offset: 0, lastOffset: 0, type: 'reject', reason: 'bad input' },
        { offset: 1, lastOffset: 1, type: 'release', reason: 'busy' },
        { offset: 2, lastOffset: 2, type: 'release', reason: 'busy again' },
      ],
      ctx,
    );
    expect(outcome.archived).toEqual(
      new Map([
        [0, 'rejected'],
        [2, 'delivery_limit'],
      ]),
    );
    expect(outcome.archiveErrors).toEqual(
      new Map([
        [0, 'bad input'],
        [2, 'busy again'],
      ]),
    );
  });
});

describe(assignShared.name, () => {
  const members = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ memberId: `m${String(i).padStart(2, '0')}`, topics: ['t'] }));

  it('gives every partition exactly one member when members are fewer', () => {
    const assignment = assignShared(members(2), new Map([['t', 5]]));
    expect([...assignment.values()].map((a) => a.length).sort()).toEqual([2, 3]);
    expect(
      [...assignment.values()]
        .flat()
        .map((p) => p.partition)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
  });

  it('shares each partition among about ⌈members/partitions⌉ members when members are more, every member with work', () => {
    const assignment = assignShared(members(12), new Map([['t', 3]]));
    const perPartition = [0, 0, 0];
    for (const list of assignment.values()) {
      expect(list).toHaveLength(1);
      perPartition[list[0].partition]++;
    }
    expect(perPartition).toEqual([4, 4, 4]);
  });
});
