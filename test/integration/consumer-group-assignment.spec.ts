import type { TopicPartition } from '@shoal/protocol';
import { ConsumerGroupService } from '../../src/consumer-groups/consumer-group.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

const key = (p: TopicPartition) => `${p.topic}:${p.partition}`;

describe.each(STORAGE_KINDS)(`${ConsumerGroupService.name} assignment on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind);
    await log.topics.create('seven', 7, undefined);
  });
  afterAll(() => log.close());

  /** Heartbeats every member until nothing changes; answers each member's view. */
  async function settle(group: string, members: string[]): Promise<Map<string, string[]>> {
    let views = new Map<string, string[]>();
    for (let round = 0; round < 4; round++) {
      const next = new Map<string, string[]>();
      for (const m of members) next.set(m, (await log.groups.heartbeat(group, m)).assignment.map(key).sort());
      if (JSON.stringify([...next]) === JSON.stringify([...views])) break;
      views = next;
    }
    return views;
  }

  function assertExclusive(views: Map<string, string[]>): void {
    const all = [...views.values()].flat();
    expect(new Set(all).size).toBe(all.length);
  }

  it('gives 3 members of 7 partitions 3, 2 and 2, each partition to one member', async () => {
    const members = [];
    for (let i = 0; i < 3; i++) members.push((await log.groups.join('g-372', { topics: ['seven'] })).memberId);
    const views = await settle('g-372', members);
    assertExclusive(views);
    expect([...views.values()].flat()).toHaveLength(7);
    expect([...views.values()].map((v) => v.length).sort()).toEqual([2, 2, 3]);
    expect((await log.groups.describe('g-372')).state).toBe('stable');
  });

  it('rebalances a join, a leave and an expiry with minimal moves, bumping the generation each time', async () => {
    const group = 'g-moves';
    const members = [];
    for (let i = 0; i < 3; i++)
      members.push((await log.groups.join(group, { topics: ['seven'], sessionTimeoutMs: 10_000 })).memberId);
    const before = await settle(group, members);
    const generation = (await log.groups.describe(group)).generation;

    const joined = await log.groups.join(group, { topics: ['seven'], sessionTimeoutMs: 10_000 });
    expect(joined.generation).toBe(generation + 1);
    const afterJoin = await settle(group, [...members, joined.memberId]);
    assertExclusive(afterJoin);
    expect(afterJoin.get(joined.memberId)).toHaveLength(1); // 7 over 4: 2/2/2/1 — only one partition moves
    for (const m of members)
      expect(before.get(m)!.filter((p) => !afterJoin.get(m)!.includes(p)).length).toBeLessThanOrEqual(1);

    await log.groups.leave(group, joined.memberId);
    const afterLeave = await settle(group, members);
    expect([...afterLeave.values()].map((v) => v.length).sort()).toEqual([2, 2, 3]);
    expect((await log.groups.describe(group)).generation).toBe(generation + 2);

    // The third member stops heartbeating; the others stay alive past its session.
    log.clock.advance(6_000);
    await log.groups.heartbeat(group, members[0]);
    await log.groups.heartbeat(group, members[1]);
    log.clock.advance(6_000);
    expect(await log.groups.sweep(log.clock.now())).toBe(1);
    const afterExpiry = await settle(group, members.slice(0, 2));
    expect([...afterExpiry.values()].map((v) => v.length).sort()).toEqual([3, 4]);
    for (const m of members.slice(0, 2)) for (const p of afterLeave.get(m)!) expect(afterExpiry.get(m)).toContain(p);
    await expect(log.groups.heartbeat(group, members[2])).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER' });
  });

  it('never lets two members hold one partition during a hand-over', async () => {
    const group = 'g-handover';
    const a = await log.groups.join(group, { topics: ['seven'] });
    expect(a.assignment).toHaveLength(7);
    const b = await log.groups.join(group, { topics: ['seven'] });
    // a has not heard of b yet: b gets nothing a still holds.
    expect(b.assignment).toEqual([]);
    expect((await log.groups.describe(group)).state).toBe('reconciling');
    const aNow = await log.groups.heartbeat(group, a.memberId);
    expect(aNow.assignment.length).toBe(4);
    const bNow = await log.groups.heartbeat(group, b.memberId);
    expect(bNow.assignment.length).toBe(3);
    expect(aNow.assignment.map(key).filter((p) => bNow.assignment.map(key).includes(p))).toEqual([]);
    expect((await log.groups.describe(group)).state).toBe('stable');
  });

  it('assigns the new partitions when a subscribed topic grows', async () => {
    await log.topics.create('growing-sub', 2, undefined);
    const a = await log.groups.join('g-grow', { topics: ['growing-sub'] });
    expect(a.assignment).toHaveLength(2);
    await log.topics.update('growing-sub', { partitions: 4 });
    const beat = await log.groups.heartbeat('g-grow', a.memberId);
    expect(beat.generation).toBe(a.generation + 1);
    expect(beat.assignment).toHaveLength(4);
  });

  it('lets members subscribe to different topics', async () => {
    await log.topics.create('only-b', 2, undefined);
    const a = await log.groups.join('g-mixed', { topics: ['seven'] });
    const b = await log.groups.join('g-mixed', { topics: ['seven', 'only-b'] });
    const views = await settle('g-mixed', [a.memberId, b.memberId]);
    assertExclusive(views);
    expect(views.get(b.memberId)!.filter((p) => p.startsWith('only-b'))).toHaveLength(2);
    expect(views.get(a.memberId)!.every((p) => p.startsWith('seven:'))).toBe(true);
  });

  it('refuses a join to a topic that does not exist', async () => {
    await expect(log.groups.join('g-nope', { topics: ['missing-topic'] })).rejects.toMatchObject({
      code: 'UNKNOWN_TOPIC',
    });
  });
});
