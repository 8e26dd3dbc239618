import {
  bucketCapacity,
  lowerReserve,
  msUntilToken,
  priorityTiers,
  refill,
} from '../../src/share-groups/domain/share-flow.js';

describe(priorityTiers.name, () => {
  it('puts listed topics in list order, one tier each, and the unlisted ones last together', () => {
    expect(priorityTiers(['c', 'low', 'high', 'd'], ['high', 'low', 'gone'])).toEqual([['high'], ['low'], ['c', 'd']]);
    expect(priorityTiers(['a', 'b'], null)).toEqual([['a', 'b']]);
  });
});

describe(lowerReserve.name, () => {
  it('keeps the share of a fetch for lower tiers, at least one, never the whole fetch', () => {
    expect(lowerReserve(100, 0.1, 3)).toBe(10);
    expect(lowerReserve(5, 0.1, 2)).toBe(1);
    expect(lowerReserve(2, 0.9, 2)).toBe(1);
    expect(lowerReserve(1, 0.5, 2)).toBe(0);
    expect(lowerReserve(100, 0, 2)).toBe(0);
    expect(lowerReserve(100, 0.5, 1)).toBe(0);
  });
});

describe(refill.name, () => {
  it('adds tokens at the rate up to a tenth of a second of records (at least one)', () => {
    expect(bucketCapacity(50)).toBe(5);
    expect(bucketCapacity(2)).toBe(1);
    expect(refill({ tokens: 0, refilledAt: 1_000 }, 50, 1_040)).toEqual({ tokens: 2, refilledAt: 1_040 });
    expect(refill({ tokens: 0, refilledAt: 1_000 }, 50, 9_000).tokens).toBe(5);
  });

  it('says how long until one whole token', () => {
    expect(msUntilToken({ tokens: 0.5, refilledAt: 0 }, 10)).toBe(50);
    expect(msUntilToken({ tokens: 1, refilledAt: 0 }, 10)).toBe(0);
  });
});
