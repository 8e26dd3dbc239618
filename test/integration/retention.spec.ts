import { ErrorCode } from '@shoal/protocol';
import { RetentionService } from '../../src/log/retention.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${RetentionService.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  it('removes records older than retentionMs and advances the start offset', async () => {
    await log.topics.create('by-time', 1, { retentionMs: 10_000 });
    await log.produce(
      'by-time',
      [0, 1, 2].map((i) => ({ value: i, timestamp: 1_000_000 + i * 1000 })),
    );
    await log.produce(
      'by-time',
      [3, 4].map((i) => ({ value: i, timestamp: 1_020_000 + i })),
    );

    log.clock.set(1_025_000); // cutoff 1_015_000: the first three are older
    expect(await log.retention.sweep(log.clock.now())).toBe(3);

    const topic = await log.topics.describe('by-time');
    expect(topic.partitions[0]).toEqual({ partition: 0, startOffset: 3, endOffset: 5 });
    const read = await log.reader.read('by-time', 0, { offset: 3, maxRecords: 10, maxWaitMs: 0 });
    expect(read.records.map((r) => r.value)).toEqual([3, 4]);
    await expect(log.reader.read('by-time', 0, { offset: 1, maxRecords: 10, maxWaitMs: 0 })).rejects.toMatchObject({
      code: ErrorCode.OffsetOutOfRange,
    });
    // Idempotent: nothing more to remove at the same time.
    expect(await log.retention.sweep(log.clock.now())).toBe(0);
  });

  it('keeps each partition within retentionBytes, removing the oldest first', async () => {
    await log.topics.create('by-bytes', 2, { retentionBytes: 250 });
    // Each value is the JSON string "xx…x": 100 bytes with its quotes.
    const value = 'x'.repeat(98);
    await log.produce(
      'by-bytes',
      Array.from({ length: 5 }, () => ({ value, partition: 0 })),
    );
    await log.produce(
      'by-bytes',
      Array.from({ length: 2 }, () => ({ value, partition: 1 })),
    );

    await log.retention.sweep(log.clock.now());

    const topic = await log.topics.describe('by-bytes');
    expect(topic.partitions).toEqual([
      { partition: 0, startOffset: 3, endOffset: 5 },
      { partition: 1, startOffset: 0, endOffset: 2 },
    ]);
  });

  it('applies retention set later by a config change', async () => {
    await log.topics.create('later', 1, undefined);
    await log.produce('later', [
      { value: 'old', timestamp: 1 },
      { value: 'new', timestamp: log.clock.now() },
    ]);
    expect(await log.retention.sweep(log.clock.now())).toBe(0);
    await log.topics.update('later', { config: { retentionMs: 60_000 } });
    expect(await log.retention.sweep(log.clock.now())).toBe(1);
    expect((await log.topics.describe('later')).partitions[0].startOffset).toBe(1);
  });

  /** A share group reading `topic` from the start with one member; `take` acquires, `accept` finishes. */
  async function shareReader(group: string, topic: string) {
    await log.shares.updateConfig(group, { autoOffsetReset: 'earliest', recordLockDurationMs: 3_600_000 });
    const { memberId } = await log.shares.join(group, { topics: [topic], sessionTimeoutMs: 3_600_000 });
    const take = async (maxRecords: number) =>
      (await log.shareFetch.fetch(group, memberId, { maxRecords, maxWaitMs: 0, acks: [] })).records.map(
        (r) => r.offset,
      );
    const accept = (offset: number, lastOffset = offset) =>
      log.shareFetch.acknowledge(group, memberId, [{ topic, partition: 0, offset, lastOffset, type: 'accept' }]);
    return { take, accept };
  }
  /** Sweeps (every topic: the earlier tests' too) and answers `topic`'s start offset after it. */
  const sweptTo = async (topic: string) => {
    await log.retention.sweep(log.clock.now());
    return (await log.topics.describe(topic)).partitions[0].startOffset;
  };

  it('never deletes a record a share group has not finished: a slow group and a short retention', async () => {
    await log.topics.create('slow-jobs', 1, { retentionMs: 10_000 });
    const t0 = log.clock.now();
    await log.produce(
      'slow-jobs',
      [0, 1, 2, 3, 4].map((value) => ({ value, timestamp: t0 })),
    );
    const fast = await shareReader('slow-jobs-fast', 'slow-jobs');
    const slow = await shareReader('slow-jobs-slow', 'slow-jobs');
    expect(await fast.take(10)).toEqual([0, 1, 2, 3, 4]);
    await fast.accept(0, 4);
    expect(await slow.take(2)).toEqual([0, 1]); // in flight for an hour
    await slow.accept(0);
    log.clock.set(t0 + 600_000); // every record is far past its retention
    expect(await sweptTo('slow-jobs')).toBe(1); // only 0 went: the slow group's start is 1
    expect(await slow.take(10)).toEqual([2, 3, 4]); // nothing it had not run was lost
    await slow.accept(1, 3);
    expect(await sweptTo('slow-jobs')).toBe(4);
    await slow.accept(4);
    expect(await sweptTo('slow-jobs')).toBe(5);
    expect((await log.shares.describe('slow-jobs-slow')).partitions[0]).toMatchObject({ startOffset: 5, lag: 0 });
  });

  it('keeps unfinished records under size retention too, and deletes them when the topic opts out', async () => {
    const value = 'x'.repeat(98); // 100 bytes each
    await log.topics.create('sized-jobs', 1, { retentionBytes: 100 });
    await log.produce(
      'sized-jobs',
      [0, 1, 2, 3].map(() => ({ value })),
    );
    const reader = await shareReader('sized-workers', 'sized-jobs');
    expect(await reader.take(1)).toEqual([0]);
    expect(await sweptTo('sized-jobs')).toBe(0); // offset 0 is in flight
    await reader.accept(0);
    expect(await sweptTo('sized-jobs')).toBe(1); // 1..3 never fetched: still unfinished
    await log.topics.update('sized-jobs', { config: { retentionRespectsShareGroups: false } });
    expect((await log.topics.describe('sized-jobs')).config).toEqual({
      retentionMs: null,
      retentionBytes: 100,
      retentionRespectsShareGroups: false,
    });
    expect(await sweptTo('sized-jobs')).toBe(3);
    expect(await reader.take(10)).toEqual([3]); // the group's window follows the log
    await log.topics.update('sized-jobs', { config: { retentionRespectsShareGroups: null } });
    expect((await log.topics.describe('sized-jobs')).config).toEqual({ retentionMs: null, retentionBytes: 100 });
  });

  it('cleans up completed records by count: only below every reading group, share and consumer', async () => {
    await log.topics.create('done-count', 1, { completedMaxCount: 1 });
    await log.produce(
      'done-count',
      [0, 1, 2, 3, 4].map((value) => ({ value })),
    );
    expect(await sweptTo('done-count')).toBe(0); // no group reads it: nothing is finished
    const reader = await shareReader('done-count-workers', 'done-count');
    expect(await reader.take(10)).toEqual([0, 1, 2, 3, 4]);
    await reader.accept(0, 2); // finished: 0..2
    const member = await log.groups.join('done-count-audit', { topics: ['done-count'], autoOffsetReset: 'earliest' });
    await log.groups.commit('done-count-audit', member.memberId, member.generation, [
      { topic: 'done-count', partition: 0, offset: 1 },
    ]);
    expect(await sweptTo('done-count')).toBe(0); // the consumer group has finished only 0, the newest one kept
    await log.groups.commit('done-count-audit', member.memberId, member.generation, [
      { topic: 'done-count', partition: 0, offset: 5 },
    ]);
    expect(await sweptTo('done-count')).toBe(2); // 0..2 finished by all, the newest (2) kept
    await reader.accept(3, 4);
    expect(await sweptTo('done-count')).toBe(4);
    await log.topics.update('done-count', { config: { completedMaxCount: 0 } });
    expect(await sweptTo('done-count')).toBe(5);
  });

  it('cleans up completed records by age, never an unfinished one however old', async () => {
    await log.topics.create('done-age', 1, { completedMaxAgeMs: 60_000 });
    const t0 = log.clock.now();
    await log.produce(
      'done-age',
      [0, 1, 2].map((value) => ({ value, timestamp: t0 })),
    );
    await log.produce('done-age', [{ value: 3, timestamp: t0 + 100_000 }]);
    const reader = await shareReader('done-age-workers', 'done-age');
    expect(await reader.take(10)).toEqual([0, 1, 2, 3]);
    await reader.accept(0);
    await reader.accept(2, 3); // 1 is still running
    log.clock.set(t0 + 120_000); // cut-off t0 + 60 s: 0..2 are old enough, 3 is not
    expect(await sweptTo('done-age')).toBe(1); // 0 only: 1 is unfinished
    await reader.accept(1);
    expect(await sweptTo('done-age')).toBe(3);
    log.clock.set(t0 + 160_001);
    expect(await sweptTo('done-age')).toBe(4);
  });
});
