import type { Acknowledgement } from '@shoal/protocol';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { seededRandom } from '../support/seeded-random.js';
import { STORAGE_KINDS } from '../support/storage.js';

const STEPS = { sqlite: 2_500, postgres: 1_200 };
const LIMIT = 3;
const LOCK_MS = 5_000;

interface Holding {
  member: string;
  lockExpiresAt: number;
}

describe.each(STORAGE_KINDS)('share groups under random operations on %s', (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  it('holds each record for one member at a time and ends every record accepted or archived exactly once', async () => {
    const random = seededRandom(932);
    const [topic, dlq, group] = ['rnd-jobs', 'rnd-dlq', 'rnd-workers'];
    await log.topics.create(topic, 3, undefined);
    await log.topics.create(dlq, 1, undefined);
    await log.shares.updateConfig(group, {
      autoOffsetReset: 'earliest',
      deliveryCountLimit: LIMIT,
      recordLockDurationMs: LOCK_MS,
      deadLetterTopic: dlq,
    });
    let produced = 0;
    const produce = async (count: number) => {
      await log.produce(
        topic,
        Array.from({ length: count }, () => ({ value: produced++ })),
      );
    };
    await produce(300);
    const members: string[] = [];
    for (let i = 0; i < 12; i++)
      members.push((await log.shares.join(group, { topics: [topic], sessionTimeoutMs: 3_600_000 })).memberId);

    const key = (p: number, o: number) => `${p}:${o}`;
    const holdings = new Map<string, Holding>();
    const accepted = new Set<string>();
    const held = (member: string) =>
      [...holdings].filter(([, h]) => h.member === member && h.lockExpiresAt > log.clock.now()).map(([k]) => k);
    const deadLettered = async () => {
      const read = await log.reader.read(dlq, 0, { offset: 0, maxRecords: 10_000, maxWaitMs: 0 });
      return read.records.map((r) =>
        key(Number(r.headers['shoal.dlq.partition']), Number(r.headers['shoal.dlq.offset'])),
      );
    };
    const fetchAs = async (member: string, maxRecords: number) => {
      const answer = await log.shareFetch.fetch(group, member, { maxRecords, maxWaitMs: 0, acks: [] });
      for (const r of answer.records) {
        const k = key(r.partition, r.offset);
        const current = holdings.get(k);
        // Nobody else may hold a record handed out now.
        expect([
          k,
          current !== undefined && current.member !== member && current.lockExpiresAt > log.clock.now(),
        ]).toEqual([k, false]);
        expect([k, r.deliveryCount <= LIMIT, accepted.has(k)]).toEqual([k, true, false]);
        holdings.set(k, { member, lockExpiresAt: r.lockExpiresAt });
      }
      return answer.records.length;
    };

    for (let step = 0; step < STEPS[kind]; step++) {
      const roll = random.next();
      const member = random.pick(members);
      if (roll < 0.35) {
        await fetchAs(member, 1 + random.int(10));
      } else if (roll < 0.8) {
        const mine = held(member);
        const tried =
          mine.length > 0 && random.next() < 0.9 ? random.pick(mine) : random.pick([...holdings.keys(), '0:0']);
        const [partition, offset] = tried.split(':').map(Number);
        const type = random.pick<Acknowledgement['type']>(['accept', 'accept', 'accept', 'release', 'reject', 'renew']);
        const [result] = await log.shareFetch.acknowledge(group, member, [{ topic, partition, offset, type }]);
        const holding = holdings.get(tried);
        const legal = holding !== undefined && holding.member === member && holding.lockExpiresAt > log.clock.now();
        expect([step, tried, type, result.error]).toEqual([step, tried, type, legal ? null : 'INVALID_RECORD_STATE']);
        if (legal && type === 'renew') holding!.lockExpiresAt = log.clock.now() + LOCK_MS;
        else if (legal) {
          holdings.delete(tried);
          if (type === 'accept') accepted.add(tried);
        }
      } else if (roll < 0.85) {
        await log.shares.leave(group, member);
        for (const k of held(member)) holdings.delete(k);
        members[members.indexOf(member)] = (
          await log.shares.join(group, { topics: [topic], sessionTimeoutMs: 3_600_000 })
        ).memberId;
      } else if (roll < 0.93) {
        log.clock.advance(random.int(LOCK_MS));
      } else {
        await produce(1 + random.int(20));
      }

      if (step % 10 === 0) {
        // The start never passes a record that is not final. Describe first: the background
        // sweep may archive (and dead-letter) more in between, which only grows the final set.
        const partitions = (await log.shares.describe(group)).partitions;
        const final = new Set([...accepted, ...(await deadLettered())]);
        for (const p of partitions) {
          for (let offset = 0; offset < p.startOffset; offset++)
            expect([step, key(p.partition, offset), final.has(key(p.partition, offset))]).toEqual([
              step,
              key(p.partition, offset),
              true,
            ]);
        }
      }
    }

    // Drain: every lock runs out, then the members accept everything left.
    for (let round = 0; round < 200; round++) {
      log.clock.advance(LOCK_MS);
      let got = 0;
      for (const member of members) {
        got += await fetchAs(member, 50);
        const mine = held(member);
        const results = await log.shareFetch.acknowledge(
          group,
          member,
          mine.map((k) => ({
            topic,
            partition: Number(k.split(':')[0]),
            offset: Number(k.split(':')[1]),
            type: 'accept',
          })),
        );
        results.forEach((r, i) => {
          expect(r.error).toBeNull();
          accepted.add(mine[i]);
          holdings.delete(mine[i]);
        });
      }
      if (got === 0 && (await log.shares.describe(group)).partitions.every((p) => p.lag === 0)) break;
    }
    const dead = await deadLettered();
    expect(new Set(dead).size).toBe(dead.length);
    const ends = [...accepted, ...dead].sort();
    expect(new Set(ends).size).toBe(ends.length);
    expect(ends).toHaveLength(produced);
    expect(dead.length).toBeGreaterThan(0);
    // Many fsync'd transactions: their time is the disk's and the CPU's. Under load (2 cores, load average 20)
    // it ran past jest's 60 s even alone.
  }, 240_000);
});
