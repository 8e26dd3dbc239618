import { INTERRUPT_BUDGET, tuneTiering } from '../../src/platform/v8-tiering.js';

describe('tuneTiering', () => {
  it('leaves a budget given on the command line alone', () => {
    expect(tuneTiering(['--interrupt-budget=67584'])).toBeUndefined();
    expect(tuneTiering(['--max-old-space-size=512', '--interrupt_budget=100000'])).toBeUndefined();
    expect(tuneTiering(['--interrupt-budget', '100000'])).toBeUndefined();
  });

  it('otherwise sets its own, about eight times Node 20’s default (67,584)', () => {
    expect(INTERRUPT_BUDGET / 67_584).toBeCloseTo(7.76, 2);
    expect(tuneTiering(['--enable-source-maps'])).toBe(INTERRUPT_BUDGET);
  });
});
