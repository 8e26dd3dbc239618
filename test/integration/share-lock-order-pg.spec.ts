import pg from 'pg';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

/**
 * On PostgreSQL a share fetch without acks locks its member's last partitions with the group's
 * opening (one round trip). When the member's assignment has moved to a partition that sorts
 * before the one locked ahead, the fetch must not wait for the new one while it holds the old
 * one: two fetches doing so the other way round deadlock (PostgreSQL ends one after a second,
 * and the retry may meet the same cycle: a share-groups run answered 500 after five of them).
 */
describe('share fetch lock order on PostgreSQL', () => {
  let storage: TestStorage;
  let log: LogContext;
  let holder: pg.Client;
  let prober: pg.Client;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    log = await openLogContext('postgres', 1_800_000_000_000, storage);
    holder = new pg.Client({ connectionString: storage.storage.url });
    prober = new pg.Client({ connectionString: storage.storage.url });
    await holder.connect();
    await prober.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await prober?.end();
    await log?.close();
    await storage?.dispose();
  });

  const lockWindow = (client: pg.Client, partition: number, nowait = '') =>
    client.query(
      `SELECT 1 FROM shoal_share_partition sp JOIN shoal_share_group g ON g.id = sp.group_id
       WHERE g.name = 'movers' AND sp.partition_id = $1 FOR UPDATE OF sp${nowait}`,
      [partition],
    );

  it('never holds a later share-partition while it waits for an earlier one', async () => {
    await log.topics.create('moving', 2, undefined);
    await log.produce('moving', [
      { value: 'a', partition: 0 },
      { value: 'b', partition: 0 },
      { value: 'c', partition: 1 },
    ]);
    await log.shares.updateConfig('movers', { autoOffsetReset: 'earliest' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await log.shares.join('movers', { topics: ['moving'] })).memberId);
    // The simple assignor goes down the members by id: the first and third get partition 0, the second 1.
    const [first, second] = [...ids].sort();
    const fetch = (member: string) => log.shareFetch.fetch('movers', member, { maxRecords: 1, maxWaitMs: 0, acks: [] });
    expect((await fetch(first)).records.map((r) => r.partition)).toEqual([0]);
    expect((await fetch(second)).records.map((r) => r.partition)).toEqual([1]); // noted: its partition is 1
    // The first leaves: the second's assignment is now partition 0, before the one it last locked.
    await log.shares.leave('movers', first);

    await holder.query('BEGIN');
    await lockWindow(holder, 0);
    const moved = fetch(second);
    moved.catch(() => undefined);
    // The fetch waits for partition 0 (the holder has it)...
    await until(async () => {
      const { rows } = await prober.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0;
    });
    // ...without holding partition 1.
    await prober.query('BEGIN');
    await expect(lockWindow(prober, 1, ' NOWAIT')).resolves.toMatchObject({ rowCount: 1 });
    await prober.query('ROLLBACK');
    await holder.query('COMMIT');
    // The record the first member held went back when it left: the second takes it.
    expect((await moved).records.map((r) => [r.partition, r.offset])).toEqual([[0, 0]]);
  });
});
