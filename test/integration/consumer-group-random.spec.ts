import type { TopicPartition } from '@shoal/protocol';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { seededRandom } from '../support/seeded-random.js';
import { STORAGE_KINDS } from '../support/storage.js';

const SESSION_MS = 10_000;
const STEPS = { sqlite: 3_000, postgres: 1_500 };
const key = (p: TopicPartition) => `${p.topic}:${p.partition}`;

interface Model {
  generation: number;
  view: Set<string>;
  expiresAt: number;
  /** Next offset after what this member read, per partition it read. */
  next: Map<string, number>;
}

describe.each(STORAGE_KINDS)('consumer groups under random operations on %s', (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  it('never gives one partition to two members, and never rereads a committed record', async () => {
    const random = seededRandom(20261122);
    const group = 'g-random';
    await log.topics.create('rnd-a', 3, undefined);
    await log.topics.create('rnd-b', 2, undefined);
    const members = new Map<string, Model>();
    const committed = new Map<string, number>();
    const stats = { fetched: 0, commits: 0, fenced: 0, expired: 0 };

    const answered = (id: string, generation: number, assignment: TopicPartition[]) => {
      const model = members.get(id)!;
      model.generation = generation;
      model.view = new Set(assignment.map(key));
      model.expiresAt = log.clock.now() + SESSION_MS;
    };
    const dropExpired = () => {
      for (const [id, model] of members) {
        if (model.expiresAt >= log.clock.now()) continue;
        members.delete(id);
        stats.expired++;
      }
    };

    for (let step = 0; step < STEPS[kind]; step++) {
      dropExpired();
      const ids = [...members.keys()];
      const roll = random.next();
      if (roll < 0.08 && members.size < 6) {
        const topics = random.next() < 0.7 ? ['rnd-a', 'rnd-b'] : ['rnd-a'];
        const joined = await log.groups.join(group, {
          topics,
          sessionTimeoutMs: SESSION_MS,
          autoOffsetReset: 'earliest',
        });
        members.set(joined.memberId, { generation: 0, view: new Set(), expiresAt: 0, next: new Map() });
        answered(joined.memberId, joined.generation, joined.assignment);
      } else if (roll < 0.12 && ids.length > 0) {
        const id = random.pick(ids);
        await log.groups.leave(group, id);
        members.delete(id);
      } else if (roll < 0.35 && ids.length > 0) {
        const id = random.pick(ids);
        const beat = await log.groups.heartbeat(group, id);
        answered(id, beat.generation, beat.assignment);
      } else if (roll < 0.6 && ids.length > 0) {
        const id = random.pick(ids);
        const fetched = await log.consumerFetch.fetch(group, id, { maxRecords: 1 + random.int(15), maxWaitMs: 0 });
        answered(id, fetched.generation, fetched.assignment);
        for (const record of fetched.records) {
          const tp = key(record);
          expect([tp, record.offset >= (committed.get(tp) ?? 0)]).toEqual([tp, true]);
          members.get(id)!.next.set(tp, record.offset + 1);
          stats.fetched++;
        }
      } else if (roll < 0.78 && ids.length > 0) {
        const id = random.pick(ids);
        const model = members.get(id)!;
        const stale = random.next() < 0.15;
        const generation = stale ? model.generation - 1 - random.int(2) : model.generation;
        const offsets = [...model.next].filter(([tp]) => stale || random.next() < 0.1 || model.view.has(tp));
        if (offsets.length === 0) continue;
        const legal = !stale && offsets.every(([tp]) => model.view.has(tp));
        const body = offsets.map(([tp, offset]) => ({
          topic: tp.split(':')[0],
          partition: Number(tp.split(':')[1]),
          offset,
        }));
        const outcome = await log.groups.commit(group, id, generation, body).then(
          () => 'ok',
          (error: { code: string }) => error.code,
        );
        expect([step, outcome]).toEqual([step, legal ? 'ok' : 'FENCED']);
        if (legal) {
          for (const [tp, offset] of offsets) committed.set(tp, offset);
          model.expiresAt = log.clock.now() + SESSION_MS;
          stats.commits++;
        } else stats.fenced++;
      } else if (roll < 0.93) {
        const topic = random.next() < 0.6 ? 'rnd-a' : 'rnd-b';
        await log.produce(
          topic,
          Array.from({ length: 1 + random.int(5) }, (_, i) => ({ value: `${step}-${i}` })),
        );
      } else {
        log.clock.advance(random.int(random.next() < 0.2 ? 15_000 : 3_000));
        if (random.next() < 0.5) await log.groups.sweep(log.clock.now());
      }

      dropExpired();
      const held = [...members.values()].flatMap((m) => [...m.view]);
      expect([step, new Set(held).size]).toEqual([step, held.length]);
    }
    // The run exercised what it claims to.
    expect(stats.fetched).toBeGreaterThan(100);
    expect(stats.commits).toBeGreaterThan(20);
    expect(stats.fenced).toBeGreaterThan(5);
    expect(stats.expired).toBeGreaterThan(0);
    // Many fsync'd transactions: past jest's 60 s on this 2-core machine under load.
  }, 240_000);
});
