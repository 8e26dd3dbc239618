import { ShoalMetrics } from '../../src/metrics/shoal-metrics.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${ShoalMetrics.name} lag on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  /** Every series of a metric after a scrape, as `labels → value`. */
  async function series(name: string): Promise<{ labels: Partial<Record<string, string | number>>; value: number }[]> {
    await log.metrics.render();
    return (await log.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  }

  async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
    const found = (await series(name)).find((v) =>
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
    );
    return found?.value;
  }

  it('shows lag for subscribed partitions with no commit, counted from the log start offset, in both names', async () => {
    await log.topics.create('l-uncommitted', 2, undefined);
    await log.produce(
      'l-uncommitted',
      [0, 0, 1].map((partition) => ({ partition, value: partition })),
    );
    const member = await log.groups.join('l-never-commits', { topics: ['l-uncommitted'], autoOffsetReset: 'earliest' });
    const p = (partition: number) => ({
      group: 'l-never-commits',
      topic: 'l-uncommitted',
      partition: String(partition),
    });
    expect(await value('shoal_consumer_group_lag', p(0))).toBe(2);
    expect(await value('shoal_consumer_group_lag', p(1))).toBe(1);
    expect(
      await value('kafka_consumergroup_lag', {
        consumergroup: 'l-never-commits',
        topic: 'l-uncommitted',
        partition: '1',
      }),
    ).toBe(1);
    expect(
      await value('kafka_consumergroup_lag_sum', { consumergroup: 'l-never-commits', topic: 'l-uncommitted' }),
    ).toBe(3);
    expect(await value('shoal_consumer_group_committed_offset', p(0))).toBeUndefined(); // nothing committed: no offset to show

    await log.groups.commit('l-never-commits', member.memberId, member.generation, [
      { topic: 'l-uncommitted', partition: 0, offset: 1 },
    ]);
    expect(await value('shoal_consumer_group_lag', p(0))).toBe(1);
    expect(await value('shoal_consumer_group_committed_offset', p(0))).toBe(1);
    expect(
      await value('kafka_consumergroup_lag_sum', { consumergroup: 'l-never-commits', topic: 'l-uncommitted' }),
    ).toBe(2);
  });

  it('gives the age of the oldest record a consumer group has not consumed, per partition and per group', async () => {
    await log.topics.create('l-aging', 2, undefined);
    await log.produce('l-aging', [{ partition: 0, value: 'old' }]);
    log.clock.advance(20_000);
    await log.produce('l-aging', [{ partition: 1, value: 'newer' }]);
    const member = await log.groups.join('l-slow', { topics: ['l-aging'], autoOffsetReset: 'earliest' });
    log.clock.advance(10_000);
    const p = (partition: number) => ({ group: 'l-slow', topic: 'l-aging', partition: String(partition) });
    expect(await value('shoal_consumer_group_lag_seconds', p(0))).toBe(30);
    expect(await value('shoal_consumer_group_lag_seconds', p(1))).toBe(10);
    expect(await value('shoal_consumer_group_max_lag_seconds', { group: 'l-slow' })).toBe(30);
    log.clock.advance(5_000); // rising while nothing is consumed
    expect(await value('shoal_consumer_group_max_lag_seconds', { group: 'l-slow' })).toBe(35);

    await log.groups.commit('l-slow', member.memberId, member.generation, [
      { topic: 'l-aging', partition: 0, offset: 1 },
    ]);
    expect(await value('shoal_consumer_group_lag_seconds', p(0))).toBe(0);
    expect(await value('shoal_consumer_group_max_lag_seconds', { group: 'l-slow' })).toBe(15);
  });

  it('gives the age of the oldest share-group record not yet final, per share-partition and per group', async () => {
    await log.topics.create('l-jobs', 1, undefined);
    await log.shares.updateConfig('l-workers', { autoOffsetReset: 'earliest' });
    await log.produce('l-jobs', [{ value: 'first' }]);
    log.clock.advance(10_000);
    await log.produce('l-jobs', [{ value: 'second' }]);
    const { memberId } = await log.shares.join('l-workers', { topics: ['l-jobs'] });
    const fetched = await log.shareFetch.fetch('l-workers', memberId, { maxRecords: 1, maxWaitMs: 0, acks: [] });
    log.clock.advance(20_000);
    const p = { group: 'l-workers', topic: 'l-jobs', partition: '0' };
    expect(await value('shoal_share_group_lag_seconds', p)).toBe(30); // acquired, not final: still waiting
    expect(await value('shoal_share_group_max_lag_seconds', { group: 'l-workers' })).toBe(30);

    const accept = (offset: number) => ({ topic: 'l-jobs', partition: 0, offset, type: 'accept' as const });
    await log.shareFetch.acknowledge(
      'l-workers',
      memberId,
      fetched.records.map((r) => accept(r.offset)),
    );
    expect(await value('shoal_share_group_lag_seconds', p)).toBe(20); // the second, never delivered
    const rest = await log.shareFetch.fetch('l-workers', memberId, { maxRecords: 1, maxWaitMs: 0, acks: [] });
    await log.shareFetch.acknowledge(
      'l-workers',
      memberId,
      rest.records.map((r) => accept(r.offset)),
    );
    expect(await value('shoal_share_group_lag_seconds', p)).toBe(0);
    expect(await value('shoal_share_group_max_lag_seconds', { group: 'l-workers' })).toBe(0);
  });

  it('counts the share-partitions a group has not opened yet, at its reset point, in lag and lag age', async () => {
    await log.topics.create('u-jobs', 3, undefined);
    await log.produce('u-jobs', [
      { value: 'a', partition: 0 },
      { value: 'b', partition: 1 },
      { value: 'c', partition: 2 },
      { value: 'd', partition: 2 },
    ]);
    log.clock.advance(7_000);
    await log.shares.updateConfig('u-workers', { autoOffsetReset: 'earliest' });
    await log.shares.resetOffsets('u-workers', 'u-jobs', 0, { offset: 1 }); // only partition 0 opened
    const lag = (partition: number) =>
      value('shoal_share_group_lag', { group: 'u-workers', topic: 'u-jobs', partition: String(partition) });
    expect([await lag(0), await lag(1), await lag(2)]).toEqual([0, 1, 2]);
    expect(await value('shoal_share_group_lag_seconds', { group: 'u-workers', topic: 'u-jobs', partition: '2' })).toBe(
      7,
    );
    expect(await value('shoal_share_group_max_lag_seconds', { group: 'u-workers' })).toBe(7);

    // A member's other topic counts too; "latest" would open it at the end: nothing waits.
    await log.topics.create('u-other', 1, undefined);
    await log.produce('u-other', [{ value: 'x' }]);
    await log.shares.updateConfig('u-late', { autoOffsetReset: 'latest' });
    await log.shares.join('u-late', { topics: ['u-other'] });
    expect(await value('shoal_share_group_lag', { group: 'u-late', topic: 'u-other', partition: '0' })).toBe(0);
    expect(await value('shoal_share_start_offset', { group: 'u-late', topic: 'u-other', partition: '0' })).toBe(1);
  });
});
