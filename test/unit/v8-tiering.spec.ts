import { INTERRUPT_BUDGET, tuneTiering } from '../../src/platform/v8-tiering.js';

describe('tuneTiering', () => {
  // A recorder in place of v8.setFlagsFromString: the jest worker keeps its own flags.
  let set: string[];
  const record = (flags: string) => void set.push(flags);
  beforeEach(() => (set = []));

  it('leaves a budget given on the command line alone', () => {
    expect(tuneTiering(['--interrupt-budget=67584'], record)).toBeUndefined();
    expect(tuneTiering(['--max-old-space-size=512', '--interrupt_budget=100000'], record)).toBeUndefined();
    expect(tuneTiering(['--interrupt-budget', '100000'], record)).toBeUndefined();
    expect(set).toEqual([]);
  });

  it('otherwise sets its own, about eight times Node 20’s default (67,584)', () => {
    expect(INTERRUPT_BUDGET / 67_584).toBeCloseTo(7.76, 2);
    expect(tuneTiering(['--enable-source-maps', '--interrupt-budget-for-feedback-allocation=940'], record)).toBe(
      INTERRUPT_BUDGET,
    );
    expect(set).toEqual([`--interrupt-budget=${INTERRUPT_BUDGET}`]);
  });
});
