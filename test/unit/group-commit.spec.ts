import { GroupCommit } from '../../src/platform/group-commit.js';

describe(GroupCommit.name, () => {
  it('flushes items submitted in one turn together, and items that arrive during a flush in the next', async () => {
    const flushes: number[][] = [];
    let release: () => void = () => undefined;
    const commit = new GroupCommit<number, number>(async (items) => {
      flushes.push(items);
      if (flushes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((item) => ({ ok: true, value: item * 10 }));
    });
    const first = [commit.submit(1), commit.submit(2)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toEqual([[1, 2]]);
    const rest = [commit.submit(3), commit.submit(4), commit.submit(5)];
    release();
    expect(await Promise.all(first)).toEqual([10, 20]);
    expect(await Promise.all(rest)).toEqual([30, 40, 50]);
    expect(flushes).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('fails only the items the flush failed', async () => {
    const commit = new GroupCommit<number, number>(async (items) =>
      items.map((item) =>
        item % 2 === 0 ? { ok: true as const, value: item } : { ok: false as const, error: new Error(`odd ${item}`) },
      ),
    );
    const results = await Promise.allSettled([commit.submit(1), commit.submit(2), commit.submit(3)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
  });

  it('fails every item of a flush that throws, then keeps serving', async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('disk full');
      return items.map((value) => ({ ok: true, value }));
    });
    await expect(commit.submit(1)).rejects.toThrow('disk full');
    await expect(commit.submit(2)).resolves.toBe(2);
  });

  it('caps a flush by weight but always takes at least one item', async () => {
    const flushes: number[][] = [];
    const commit = new GroupCommit<number, number>(
      async (items) => {
        flushes.push(items);
        return items.map((value) => ({ ok: true, value }));
      },
      (item) => item,
      10,
    );
    await Promise.all([commit.submit(1), commit.submit(6), commit.submit(5), commit.submit(20), commit.submit(2)]);
    expect(flushes).toEqual([[1, 6], [5], [20], [2]]);
  });
});
