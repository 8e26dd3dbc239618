import { assignSticky, partitionKey } from '../../src/consumer-groups/domain/sticky-assignor.js';

function counts(assignment: Map<string, string>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const member of assignment.values()) result[member] = (result[member] ?? 0) + 1;
  return result;
}

function moves(before: Map<string, string>, after: Map<string, string>): number {
  let moved = 0;
  for (const [key, owner] of before) if (after.has(key) && after.get(key) !== owner) moved++;
  return moved;
}

describe(assignSticky.name, () => {
  const topics = new Map([['t', 7]]);
  const three = ['a', 'b', 'c'].map((memberId) => ({ memberId, topics: ['t'] }));

  it('gives 3 members of 7 partitions 3, 2 and 2, every partition to one member', () => {
    const assignment = assignSticky(three, topics, new Map());
    expect(assignment.size).toBe(7);
    expect(Object.values(counts(assignment)).sort()).toEqual([2, 2, 3]);
  });

  it('moves only what balance forces when a member joins', () => {
    const before = assignSticky(three, topics, new Map());
    const after = assignSticky([...three, { memberId: 'd', topics: ['t'] }], topics, before);
    expect(Object.values(counts(after)).sort()).toEqual([1, 2, 2, 2]);
    // d needs 1 or 2 partitions; only those move.
    expect(moves(before, after)).toBe(counts(after).d);
    expect(counts(after).d).toBe(1);
  });

  it('moves only the leaver’s partitions when a member leaves', () => {
    const before = assignSticky(three, topics, new Map());
    const leaver = 'b';
    const after = assignSticky(
      three.filter((m) => m.memberId !== leaver),
      topics,
      before,
    );
    expect(Object.values(counts(after)).sort()).toEqual([3, 4]);
    for (const [key, owner] of before) if (owner !== leaver) expect(after.get(key)).toBe(owner);
  });

  it('assigns each topic among its own subscribers only', () => {
    const members = [
      { memberId: 'a', topics: ['x'] },
      { memberId: 'b', topics: ['x', 'y'] },
    ];
    const assignment = assignSticky(
      members,
      new Map([
        ['x', 4],
        ['y', 3],
      ]),
      new Map(),
    );
    for (let p = 0; p < 3; p++) expect(assignment.get(partitionKey('y', p))).toBe('b');
    expect([0, 1, 2, 3].map((p) => assignment.get(partitionKey('x', p))).sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('assigns new partitions of a grown topic without moving the old ones', () => {
    const before = assignSticky(three, new Map([['t', 6]]), new Map());
    const after = assignSticky(three, new Map([['t', 9]]), before);
    expect(moves(before, after)).toBe(0);
    expect(Object.values(counts(after))).toEqual([3, 3, 3]);
  });

  it('leaves partitions unassigned when nobody subscribes', () => {
    expect(assignSticky([], topics, new Map()).size).toBe(0);
  });
});
