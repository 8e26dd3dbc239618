import { ShareGroupService } from '../../src/share-groups/share-group.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';
import { acquiredRecordOf } from '../../src/share-groups/http/acquired-records.json.js';

describe.each(STORAGE_KINDS)(`${ShareGroupService.name} administration and restarts on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  it('keeps acknowledged records final and acquired ones locked across a restart', async () => {
    await log.topics.create('restart-jobs', 1, undefined);
    await log.produce(
      'restart-jobs',
      [0, 1, 2].map((value) => ({ value })),
    );
    await log.shares.updateConfig('restart-workers', { autoOffsetReset: 'earliest', recordLockDurationMs: 10_000 });
    const a = (await log.shares.join('restart-workers', { topics: ['restart-jobs'] })).memberId;
    await log.shareFetch.fetch('restart-workers', a, { maxRecords: 3, maxWaitMs: 0, acks: [] });
    await log.shareFetch.acknowledge('restart-workers', a, [
      { topic: 'restart-jobs', partition: 0, offset: 0, type: 'accept' },
    ]);

    await log.restart();

    // The member has a fresh session; nothing was released by the restart.
    const b = (await log.shares.join('restart-workers', { topics: ['restart-jobs'] })).memberId;
    expect(
      (await log.shareFetch.fetch('restart-workers', b, { maxRecords: 10, maxWaitMs: 0, acks: [] })).records,
    ).toEqual([]);
    expect((await log.shares.describe('restart-workers')).partitions[0]).toMatchObject({ startOffset: 1, acquired: 2 });
    expect(
      await log.shareFetch.acknowledge('restart-workers', a, [
        { topic: 'restart-jobs', partition: 0, offset: 1, type: 'accept' },
      ]),
    ).toEqual([expect.objectContaining({ error: null })]);
    log.clock.advance(10_000);
    const back = await log.shareFetch.fetch('restart-workers', b, { maxRecords: 10, maxWaitMs: 0, acks: [] });
    expect(back.records.map((r) => [r.offset, r.deliveryCount])).toEqual([[2, 2]]);
  });

  it('describes every partition of the topics it covers, opened or not, an unopened one at the reset point', async () => {
    await log.topics.create('cover-jobs', 3, undefined);
    await log.topics.create('cover-extra', 1, undefined);
    await log.produce('cover-jobs', [
      ...[0, 1, 2, 3].map((value) => ({ value, partition: 0 })),
      ...[0, 1, 2, 3, 4].map((value) => ({ value, partition: 1 })),
      ...[0, 1, 2, 3, 4, 5].map((value) => ({ value, partition: 2 })),
    ]);
    await log.produce('cover-extra', [{ value: 'a' }, { value: 'b' }]);
    const view = async () =>
      (await log.shares.describe('cover-workers')).partitions.map((p) => [
        `${p.topic}/${p.partition}`,
        p.startOffset,
        p.endOffset,
        p.lag,
        p.opened,
      ]);

    await log.shares.updateConfig('cover-workers', { autoOffsetReset: 'earliest' });
    expect(await view()).toEqual([]); // no member, nothing opened: no topic to cover
    // Only partition 0 opened (a reset opens it, as a fetch would): its topic's others still count.
    await log.shares.resetOffsets('cover-workers', 'cover-jobs', 0, { offset: 1 });
    expect(await view()).toEqual([
      ['cover-jobs/0', 1, 1, 3, true],
      ['cover-jobs/1', 0, 0, 5, false],
      ['cover-jobs/2', 0, 0, 6, false],
    ]);

    // A member's subscription adds its topics' partitions; the listing's total lag counts them all.
    const { memberId } = await log.shares.join('cover-workers', { topics: ['cover-jobs', 'cover-extra'] });
    expect(await view()).toEqual([
      ['cover-extra/0', 0, 0, 2, false],
      ['cover-jobs/0', 1, 1, 3, true],
      ['cover-jobs/1', 0, 0, 5, false],
      ['cover-jobs/2', 0, 0, 6, false],
    ]);
    const total = (await log.shares.describe('cover-workers')).partitions.reduce((n, p) => n + p.lag, 0);
    expect(total).toBe(16);
    // What describe shows unopened is what a fetch opens: everything it promised is handed out.
    const fetched = await log.shareFetch.fetch('cover-workers', memberId, { maxRecords: 100, maxWaitMs: 0, acks: [] });
    expect(fetched.records).toHaveLength(16);
    expect((await view()).map(([name, start, , lag, opened]) => [name, start, lag, opened])).toEqual([
      ['cover-extra/0', 0, 2, true],
      ['cover-jobs/0', 1, 3, true],
      ['cover-jobs/1', 0, 5, true],
      ['cover-jobs/2', 0, 6, true],
    ]);
    await log.shares.leave('cover-workers', memberId);

    // "latest": an unopened partition would start at the log end, so nothing of it waits.
    await log.shares.updateConfig('cover-late', { autoOffsetReset: 'latest' });
    await log.shares.join('cover-late', { topics: ['cover-jobs'] });
    expect(
      (await log.shares.describe('cover-late')).partitions.map((p) => [p.partition, p.startOffset, p.lag, p.opened]),
    ).toEqual([
      [0, 4, 0, false],
      [1, 5, 0, false],
      [2, 6, 0, false],
    ]);
  });

  // The config ranges are checked at the HTTP edge: see share-groups.e2e.spec.ts.
  it('takes a dead-letter topic only if it exists', async () => {
    await expect(log.shares.updateConfig('config-group', { deadLetterTopic: 'nowhere' })).rejects.toMatchObject({
      code: 'UNKNOWN_TOPIC',
    });
    await log.topics.create('config-dlq', 1, undefined);
    expect(
      await log.shares.updateConfig('config-group', { deadLetterTopic: 'config-dlq', deliveryCountLimit: 10 }),
    ).toEqual({
      recordLockDurationMs: 30_000,
      deliveryCountLimit: 10,
      maxInFlightRecordsPerPartition: 2_000,
      autoOffsetReset: 'latest',
      deadLetterTopic: 'config-dlq',
    });
    expect((await log.shares.updateConfig('config-group', { deadLetterTopic: null })).deadLetterTopic).toBeNull();
  });

  it('starts at the log end by default, and resets and deletes only an empty group', async () => {
    await log.topics.create('reset-jobs', 2, undefined);
    await log.produce(
      'reset-jobs',
      [0, 0, 1].map((partition) => ({ value: 'old', partition, timestamp: 5 })),
    );
    const a = (await log.shares.join('reset-workers', { topics: ['reset-jobs'] })).memberId;
    expect(
      (await log.shareFetch.fetch('reset-workers', a, { maxRecords: 10, maxWaitMs: 0, acks: [] })).records,
    ).toEqual([]);
    await expect(log.shares.resetOffsets('reset-workers', 'reset-jobs', undefined, 'earliest')).rejects.toMatchObject({
      code: 'GROUP_NOT_EMPTY',
    });
    await expect(log.shares.delete('reset-workers')).rejects.toMatchObject({ code: 'GROUP_NOT_EMPTY' });
    await log.shares.leave('reset-workers', a);
    await log.shares.resetOffsets('reset-workers', 'reset-jobs', 0, { offset: 1 });
    await log.shares.resetOffsets('reset-workers', 'reset-jobs', 1, { timestamp: 0 });
    expect(
      (await log.shares.describe('reset-workers')).partitions.map((p) => [p.partition, p.startOffset, p.lag]),
    ).toEqual([
      [0, 1, 1],
      [1, 0, 1],
    ]);
    const b = (await log.shares.join('reset-workers', { topics: ['reset-jobs'] })).memberId;
    const records = await log.shareFetch.fetch('reset-workers', b, { maxRecords: 10, maxWaitMs: 0, acks: [] });
    expect(records.records.map((r) => [r.partition, r.offset]).sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    await log.shares.leave('reset-workers', b);
    await log.shares.delete('reset-workers');
    await expect(log.shares.describe('reset-workers')).rejects.toMatchObject({ code: 'UNKNOWN_GROUP' });
  });

  it('follows retention: the start moves past records the log no longer has', async () => {
    // Opted out of retention respecting share groups: retention deletes records the group holds.
    await log.topics.create('retained-jobs', 1, { retentionMs: 60_000, retentionRespectsShareGroups: false });
    await log.produce(
      'retained-jobs',
      [0, 1, 2].map((value) => ({ value, timestamp: log.clock.now() })),
    );
    await log.shares.updateConfig('retained-workers', { autoOffsetReset: 'earliest' });
    const a = (await log.shares.join('retained-workers', { topics: ['retained-jobs'], sessionTimeoutMs: 600_000 }))
      .memberId;
    await log.shareFetch.fetch('retained-workers', a, { maxRecords: 1, maxWaitMs: 0, acks: [] });
    log.clock.advance(120_000);
    await log.retention.sweep(log.clock.now());
    await log.produce('retained-jobs', [{ value: 3 }]);
    const next = await log.shareFetch.fetch('retained-workers', a, { maxRecords: 10, maxWaitMs: 0, acks: [] });
    expect(next.records.map((r) => r.offset)).toEqual([3]);
    expect((await log.shares.describe('retained-workers')).partitions[0]).toMatchObject({
      startOffset: 3,
      endOffset: 4,
    });
  });

  it('answers a waiting fetch as soon as a record arrives', async () => {
    await log.topics.create('wake-jobs', 1, undefined);
    const a = (await log.shares.join('wake-workers', { topics: ['wake-jobs'] })).memberId;
    await log.shareFetch.fetch('wake-workers', a, { maxRecords: 1, maxWaitMs: 0, acks: [] });
    const started = Date.now();
    const waiting = log.shareFetch.fetch('wake-workers', a, { maxRecords: 5, maxWaitMs: 20_000, acks: [] });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await log.produce('wake-jobs', [{ value: 'now' }]);
    expect((await waiting).records.map((r) => acquiredRecordOf(r).value)).toEqual(['now']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
