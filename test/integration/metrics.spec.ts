import { ShoalMetrics } from '../../src/metrics/shoal-metrics.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${ShoalMetrics.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  /** A series' value (0 when absent), after a scrape refreshed the state gauges. */
  async function value(name: string, labels: Record<string, string>): Promise<number> {
    await log.metrics.render();
    const metric = await log.metrics.registry.getSingleMetric(name)?.get();
    const found = metric?.values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
    return found?.value ?? 0;
  }

  it('counts produced records and bytes per topic', async () => {
    await log.topics.create('m-produce', 2, undefined);
    await log.produce('m-produce', [{ value: 'abc' }, { key: 'k', value: 1 }]); // 5 + 2 bytes
    expect(await value('shoal_records_produced_total', { topic: 'm-produce' })).toBe(2);
    expect(await value('shoal_bytes_produced_total', { topic: 'm-produce' })).toBe(7);
    expect(
      (await value('shoal_log_end_offset', { topic: 'm-produce', partition: '0' })) +
        (await value('shoal_log_end_offset', { topic: 'm-produce', partition: '1' })),
    ).toBe(2);
    expect(await value('kafka_topic_partitions', { topic: 'm-produce' })).toBe(2);
  });

  it('reads committed offsets, lag and members of consumer groups from the database', async () => {
    await log.topics.create('m-consume', 1, undefined);
    await log.produce(
      'm-consume',
      [1, 2, 3, 4].map((value) => ({ value })),
    );
    const member = await log.groups.join('m-billing', { topics: ['m-consume'], autoOffsetReset: 'earliest' });
    await log.groups.commit('m-billing', member.memberId, member.generation, [
      { topic: 'm-consume', partition: 0, offset: 1 },
    ]);
    const labels = { group: 'm-billing', topic: 'm-consume', partition: '0' };
    expect(await value('shoal_consumer_group_committed_offset', labels)).toBe(1);
    expect(await value('shoal_consumer_group_lag', labels)).toBe(3);
    expect(
      await value('kafka_consumergroup_lag', { consumergroup: 'm-billing', topic: 'm-consume', partition: '0' }),
    ).toBe(3);
    expect(await value('shoal_group_members', { group: 'm-billing', kind: 'consumer' })).toBe(1);
    expect(await value('kafka_consumergroup_members', { consumergroup: 'm-billing' })).toBe(1);
    await log.groups.leave('m-billing', member.memberId);
    expect(await value('shoal_group_members', { group: 'm-billing', kind: 'consumer' })).toBe(0);
  });

  it('counts share-group acquisitions, acks by type, archives, dead letters, redeliveries and lock timeouts', async () => {
    await log.topics.create('m-jobs', 1, undefined);
    await log.topics.create('m-dlq', 1, undefined);
    await log.produce(
      'm-jobs',
      [0, 1, 2, 3].map((value) => ({ value })),
    );
    await log.shares.updateConfig('m-workers', {
      autoOffsetReset: 'earliest',
      deadLetterTopic: 'm-dlq',
      recordLockDurationMs: 1_000,
    });
    const { memberId } = await log.shares.join('m-workers', { topics: ['m-jobs'] });
    await log.shareFetch.fetch('m-workers', memberId, { maxRecords: 4, maxWaitMs: 0, acks: [] });
    const at = (offset: number, type: 'accept' | 'release' | 'reject' | 'renew') => ({
      topic: 'm-jobs',
      partition: 0,
      offset,
      type,
    });
    await log.shareFetch.acknowledge('m-workers', memberId, [
      at(0, 'accept'),
      at(1, 'release'),
      at(2, 'reject'),
      at(3, 'renew'),
    ]);
    const labels = { group: 'm-workers', topic: 'm-jobs' };
    expect(await value('shoal_share_records_acquired_total', labels)).toBe(4);
    for (const type of ['accept', 'release', 'reject', 'renew'])
      expect(await value('shoal_share_acks_total', { ...labels, type })).toBe(1);
    expect(await value('shoal_share_records_archived_total', { ...labels, reason: 'rejected' })).toBe(1);
    expect(await value('shoal_share_records_dead_lettered_total', labels)).toBe(1);
    const partition = { ...labels, partition: '0' };
    expect(await value('shoal_share_in_flight_records', { ...partition, state: 'available' })).toBe(1);
    expect(await value('shoal_share_in_flight_records', { ...partition, state: 'acquired' })).toBe(1);
    expect(await value('shoal_share_group_lag', partition)).toBe(2);

    await log.shareFetch.fetch('m-workers', memberId, { maxRecords: 4, maxWaitMs: 0, acks: [] }); // takes 1 again
    expect(await value('shoal_share_records_redelivered_total', labels)).toBe(1);
    log.clock.advance(1_000);
    await log.shares.sweep(log.clock.now()); // 1 and 3: locks run out
    expect(await value('shoal_share_lock_timeouts_total', labels)).toBe(2);
    expect(await value('shoal_group_members', { group: 'm-workers', kind: 'share' })).toBe(1);
  });

  it('shows expired locks as available, and the start past records archived by expiry, with no fetch or sweep before the scrape', async () => {
    await log.topics.create('m-expiry', 1, undefined);
    await log.produce(
      'm-expiry',
      [0, 1].map((value) => ({ value })),
    );
    await log.shares.updateConfig('m-expirers', {
      autoOffsetReset: 'earliest',
      deliveryCountLimit: 2,
      recordLockDurationMs: 1_000,
    });
    const { memberId } = await log.shares.join('m-expirers', { topics: ['m-expiry'] });
    const labels = { group: 'm-expirers', topic: 'm-expiry' };
    const partition = { ...labels, partition: '0' };
    await log.shareFetch.fetch('m-expirers', memberId, { maxRecords: 2, maxWaitMs: 0, acks: [] });
    expect(await value('shoal_share_in_flight_records', { ...partition, state: 'acquired' })).toBe(2);
    log.clock.advance(1_000);
    expect(await value('shoal_share_in_flight_records', { ...partition, state: 'acquired' })).toBe(0);
    expect(await value('shoal_share_in_flight_records', { ...partition, state: 'available' })).toBe(2);
    expect(await value('shoal_share_lock_timeouts_total', labels)).toBe(2);
    await log.shareFetch.fetch('m-expirers', memberId, { maxRecords: 2, maxWaitMs: 0, acks: [] }); // delivery 2: the limit
    log.clock.advance(1_000);
    expect(await value('shoal_share_start_offset', partition)).toBe(2);
    expect(await value('shoal_share_in_flight_records', { ...partition, state: 'available' })).toBe(0);
    expect(await value('shoal_share_group_lag', partition)).toBe(0);
    expect(await value('shoal_share_records_archived_total', { ...labels, reason: 'delivery_limit' })).toBe(2);
  });
});
