import { join } from 'node:path';
import { keepHeavyApart } from '../support/suite-order.sequencer.js';

describe(keepHeavyApart.name, () => {
  const root = '/repo';
  const heavy = new Map([
    ['test/e2e/a.spec.ts', 100_000],
    ['test/e2e/b.spec.ts', 60_000],
  ]);
  const suite = (name: string, duration?: number) => ({ path: join(root, 'test/e2e', name), duration });
  const names = (tests: { path: string }[]) => tests.map((t) => t.path.slice(join(root, 'test/e2e/').length));

  it('puts light suites worth 2.5 times a heavy suite between it and the next heavy one', () => {
    const tests = [
      suite('a.spec.ts', 120_000),
      suite('b.spec.ts'),
      ...Array.from({ length: 40 }, (_, i) => suite(`light-${i}.spec.ts`, 10_000)),
    ];
    const order = names(keepHeavyApart(tests, root, heavy));
    expect(order).toHaveLength(42);
    expect(new Set(order).size).toBe(42);
    expect(order[0]).toBe('a.spec.ts');
    expect(order.indexOf('b.spec.ts')).toBe(1 + 30); // 30 × 10 s = 2.5 × 120 s (the recorded duration)
    expect(order.slice(32)).toEqual(Array.from({ length: 10 }, (_, i) => `light-${30 + i}.spec.ts`));
  });

  it('uses the estimate for a heavy suite jest has not timed, and 10 s for an unknown light one', () => {
    const tests = [suite('a.spec.ts'), suite('b.spec.ts'), ...Array.from({ length: 40 }, (_, i) => suite(`l${i}.ts`))];
    const order = names(keepHeavyApart(tests, root, heavy));
    expect(order.indexOf('b.spec.ts')).toBe(1 + 25); // 25 × 10 s = 2.5 × 100 s
  });

  it('starts the longest heavy suite first, whatever order jest gave', () => {
    const tests = [suite('b.spec.ts'), ...Array.from({ length: 30 }, (_, i) => suite(`l${i}.ts`)), suite('a.spec.ts')];
    const order = names(keepHeavyApart(tests, root, heavy));
    expect(order[0]).toBe('a.spec.ts');
    expect(order.indexOf('b.spec.ts')).toBe(1 + 25);
  });

  it('keeps the given order when there is no heavy suite, and runs out of light ones gracefully', () => {
    const light = [suite('x.ts', 3), suite('y.ts', 2), suite('z.ts', 1)];
    expect(keepHeavyApart(light, root, heavy)).toEqual(light);
    expect(names(keepHeavyApart([suite('b.spec.ts'), suite('x.ts'), suite('a.spec.ts')], root, heavy))).toEqual([
      'a.spec.ts',
      'x.ts',
      'b.spec.ts',
    ]);
  });
});
