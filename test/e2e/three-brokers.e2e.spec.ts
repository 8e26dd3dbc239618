import { ShoalApiError, type ShoalHttpClient } from '@shoal/client';
import type { Acknowledgement, TopicPartition } from '@shoal/protocol';
import { BrokerCluster } from '../support/broker-cluster.js';
import { seededRandom } from '../support/seeded-random.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { sleep, until } from '../support/until.js';

const TOPIC = 'chaos';
const PARTITIONS = 6;
const PRODUCERS = 3;
const BATCHES = 30;
const BATCH = 20;
const DELIVERY_LIMIT = 5;
const CHAOS_EVENTS = 8;
const key = (p: { partition: number; offset: number }) => `${p.partition}:${p.offset}`;

describe(BrokerCluster.name, () => {
  let storage: TestStorage;
  let cluster: BrokerCluster;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    cluster = await BrokerCluster.start(storage.storage.url, 3, { SHOAL_SHUTDOWN_GRACE_MS: '5000' });
  });
  afterAll(async () => {
    await cluster.close();
    await storage.dispose();
  });

  it('three brokers on one PostgreSQL, killed and restarted at random, keep every guarantee', async () => {
    const random = seededRandom(20261201);
    // How long a call may keep retrying across restarts, a bound and not the run's length (the work is fixed):
    // room for a loaded 2-core machine, where the run took 197 s.
    const deadline = Date.now() + 270_000;
    const pick = () => {
      const up = [0, 1, 2].filter((slot) => cluster.isUp(slot));
      return up.length > 0 ? random.pick(up) : random.int(3);
    };
    const call = <T>(work: (client: ShoalHttpClient) => Promise<T>) => cluster.call(pick, work, deadline);
    await call((c) => c.createTopic({ name: TOPIC, partitions: PARTITIONS }));
    await call((c) =>
      c.updateShareGroupConfig('chaos-share', {
        autoOffsetReset: 'earliest',
        deliveryCountLimit: DELIVERY_LIMIT,
        recordLockDurationMs: 3_000,
      }),
    );

    const acknowledged = new Map<string, string>();
    let producing = true;
    const producers = Array.from({ length: PRODUCERS }, async (_, p) => {
      for (let b = 0; b < BATCHES; b++) {
        const values = Array.from({ length: BATCH }, (_, i) => `${p}-${b}-${i}`);
        // A produce whose answer was lost may be sent again: a duplicate, never a loss.
        const answer = await call((c) =>
          c.produce(
            TOPIC,
            values.map((value) => ({ key: value, value })),
          ),
        );
        answer.offsets.forEach((position, i) => acknowledged.set(key(position), values[i]));
        await sleep(60);
      }
    });
    const allProduced = Promise.all(producers).then(() => (producing = false));

    // Share-group members: accept everything they get; a member forgotten by the group joins again.
    const accepted = new Map<string, number>();
    const overLimit: string[] = [];
    let shareDone = false;
    const shareMember = async () => {
      let memberId = (await call((c) => c.joinShareGroup('chaos-share', { topics: [TOPIC] }))).memberId;
      let acks: Acknowledgement[] = [];
      while (!shareDone) {
        try {
          const answer = await call((c) =>
            c.shareFetch('chaos-share', memberId, { maxRecords: 50, maxWaitMs: 300, acks }),
          );
          for (const result of answer.ackResults)
            if (result.error === null) accepted.set(key(result), (accepted.get(key(result)) ?? 0) + 1);
          for (const r of answer.records) if (r.deliveryCount > DELIVERY_LIMIT) overLimit.push(key(r));
          acks = answer.records.map((r) => ({
            topic: TOPIC,
            partition: r.partition,
            offset: r.offset,
            type: 'accept',
          }));
        } catch (error) {
          if (!(error instanceof ShoalApiError) || error.code !== 'UNKNOWN_MEMBER') throw error;
          memberId = (await call((c) => c.joinShareGroup('chaos-share', { topics: [TOPIC] }))).memberId;
          acks = [];
        }
      }
    };

    // Consumer-group members: fetch, check the records are from their own partitions, commit.
    const foreign: string[] = [];
    let consumerDone = false;
    const consumerMember = async () => {
      const join = () =>
        call((c) => c.joinConsumerGroup('chaos-consumers', { topics: [TOPIC], autoOffsetReset: 'earliest' }));
      let memberId = (await join()).memberId;
      while (!consumerDone) {
        try {
          const answer = await call((c) =>
            c.consumerFetch('chaos-consumers', memberId, { maxRecords: 100, maxWaitMs: 300 }),
          );
          const owned = new Set(answer.assignment.map((p) => p.partition));
          const next = new Map<number, number>();
          for (const r of answer.records) {
            if (!owned.has(r.partition)) foreign.push(key(r));
            next.set(r.partition, r.offset + 1);
          }
          if (next.size === 0) continue;
          const offsets = [...next].map(([partition, offset]) => ({ topic: TOPIC, partition, offset }));
          await call((c) => c.commitOffsets('chaos-consumers', memberId, answer.generation, offsets)).catch(
            (error: unknown) => {
              if (!(error instanceof ShoalApiError) || !['FENCED', 'REBALANCE_IN_PROGRESS'].includes(error.code))
                throw error;
            },
          );
        } catch (error) {
          if (!(error instanceof ShoalApiError) || error.code !== 'UNKNOWN_MEMBER') throw error;
          memberId = (await join()).memberId;
        }
      }
    };

    // Snapshots of the group from the database: never two members holding one partition.
    const doubleOwned: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const described = await call((c) => c.describeConsumerGroup('chaos-consumers')).catch(() => undefined);
        const seen = new Set<number>();
        for (const member of described?.members ?? [])
          for (const p of member.assignment as TopicPartition[]) {
            if (seen.has(p.partition)) doubleOwned.push(`${described!.generation}:${p.partition}`);
            seen.add(p.partition);
          }
        await sleep(150);
      }
    })();

    const members = [
      ...Array.from({ length: 4 }, () => shareMember()),
      ...Array.from({ length: 3 }, () => consumerMember()),
    ];

    // Chaos: one broker at a time, SIGKILL or SIGTERM, back on its port after a moment.
    const kills: string[] = [];
    for (let event = 0; event < CHAOS_EVENTS; event++) {
      await sleep(1_500 + random.int(1_500));
      const slot = random.int(3);
      const signal = random.next() < 0.5 ? 'SIGKILL' : 'SIGTERM';
      kills.push(`${slot}:${signal}`);
      await cluster.stop(slot, signal);
      await sleep(300 + random.int(700));
      await cluster.restart(slot);
    }
    await allProduced;
    expect(producing).toBe(false);

    // Everything ends final (accepted or archived) and committed.
    await until(async () => {
      const share = await call((c) => c.describeShareGroup('chaos-share'));
      return (
        share.partitions.length === PARTITIONS &&
        share.partitions.every((p) => p.opened && p.startOffset === p.endOffset)
      );
    }, 90_000);
    await until(async () => {
      const group = await call((c) => c.describeConsumerGroup('chaos-consumers'));
      return group.offsets.length === PARTITIONS && group.offsets.every((o) => o.committedOffset === o.endOffset);
    }, 60_000);
    shareDone = consumerDone = true;
    watching = false;
    await Promise.all([...members, watcher]);

    // No acknowledged produce lost.
    const stored = new Map<string, string>();
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const read = await call((c) => c.read(TOPIC, partition, { offset: 0, maxRecords: 10_000, maxWaitMs: 0 }));
      for (const r of read.records) stored.set(key(r), r.value as string);
    }
    expect(acknowledged.size).toBe(PRODUCERS * BATCHES * BATCH);
    expect([...acknowledged].filter(([k, value]) => stored.get(k) !== value)).toEqual([]);
    // Share records: none accepted twice, none delivered past the limit; every one is final (above).
    expect([...accepted].filter(([, n]) => n > 1)).toEqual([]);
    expect(overLimit).toEqual([]);
    expect(accepted.size).toBeGreaterThan(0);
    // Consumer group: never two owners, never a record from a partition the member did not own.
    expect(doubleOwned).toEqual([]);
    expect(foreign).toEqual([]);
    expect(kills).toHaveLength(CHAOS_EVENTS);
  }, 300_000);
});
