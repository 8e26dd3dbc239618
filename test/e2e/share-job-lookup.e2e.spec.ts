import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ShoalApiError } from '@shoal/client';
import { ManualClock } from '../../src/platform/clock.js';
import { brokerPerSuite } from '../support/broker.js';
import { STORAGE_KINDS } from '../support/storage.js';

/** The built `shoal` CLI against the broker: its stdout (a non-zero exit fails). */
const cli = async (url: string, ...args: string[]) =>
  (
    await promisify(execFile)(process.execPath, ['bin/shoal.js', '--url', url, ...args], {
      env: { ...process.env, NODE_OPTIONS: '' },
    })
  ).stdout;

const errorCode = (e: unknown) => (e instanceof ShoalApiError ? `${e.status} ${e.code}` : String(e));

/** One job by its offset or idempotency key: the state a share group keeps of it, over HTTP and @shoal/client. */
describe.each(STORAGE_KINDS)('share-group job lookup on %s', (kind) => {
  const clock = new ManualClock(1_800_000_000_000);
  const suite = brokerPerSuite(kind, clock);

  it('answers each state, its outcome, delivery count, holder, lock expiry and next availability', async () => {
    const { client, url } = suite.broker;
    await client.createTopic({ name: 'lookup', partitions: 1 });
    await client.produce(
      'lookup',
      Array.from({ length: 6 }, (_, i) => ({ value: { job: i }, idempotencyKey: `job-${i}` })),
    );
    const later = clock.now() + 3_600_000;
    const [scheduled] = (await client.produce('lookup', [{ value: 'later', deliverAt: later, idempotencyKey: 'soon' }]))
      .offsets;
    await client.updateShareGroupConfig('lookers', { autoOffsetReset: 'earliest', recordLockDurationMs: 10_000 });
    const { memberId } = await client.joinShareGroup('lookers', { topics: ['lookup'] });
    const fetched = await client.shareFetch('lookers', memberId, { maxRecords: 4, maxWaitMs: 0 });
    expect(fetched.records.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    const at = (offset: number) => ({ topic: 'lookup', partition: 0, offset });
    const results = await client.acknowledge('lookers', memberId, [
      { ...at(1), type: 'accept' },
      { ...at(2), type: 'reject', reason: 'malformed' },
      { ...at(3), type: 'release', delayMs: 60_000 },
    ]);
    expect(results.map((r) => r.error ?? null)).toEqual([null, null, null]);
    const holder = memberId.split('.')[0];
    const job = (offset: number) => client.shareJob('lookers', 'lookup', 0, offset);
    const base = { topic: 'lookup', partition: 0 };
    expect(await job(0)).toEqual({
      ...base,
      offset: 0,
      state: 'acquired',
      outcome: null,
      deliveryCount: 1,
      memberId: holder,
      lockExpiresAt: clock.now() + 10_000,
      availableAt: null,
      progress: null,
      result: null,
      reason: null,
    });
    expect(await job(1)).toMatchObject({ offset: 1, state: 'acknowledged', outcome: 'accepted', deliveryCount: 1 });
    expect(await job(2)).toMatchObject({ offset: 2, state: 'archived', outcome: 'rejected', deliveryCount: 1 });
    expect(await job(3)).toMatchObject({
      offset: 3,
      state: 'available',
      outcome: null,
      deliveryCount: 1,
      availableAt: clock.now() + 60_000,
    });
    // Never handed out yet.
    expect(await job(5)).toEqual({
      ...base,
      offset: 5,
      state: 'available',
      outcome: null,
      deliveryCount: 0,
      memberId: null,
      lockExpiresAt: null,
      availableAt: null,
      progress: null,
      result: null,
      reason: null,
    });
    // By the idempotency key it was produced with: the same answer; a scheduled one waits.
    expect(await client.shareJobByIdempotencyKey('lookers', 'lookup', 'job-2')).toEqual(await job(2));
    expect(await client.shareJobByIdempotencyKey('lookers', 'lookup', 'soon')).toEqual({
      ...base,
      offset: -1,
      state: 'scheduled',
      outcome: null,
      deliveryCount: 0,
      memberId: null,
      lockExpiresAt: null,
      availableAt: null,
      progress: null,
      result: null,
      reason: null,
      scheduledId: scheduled.scheduledId,
      deliverAt: later,
    });
    // The lock runs out: the record is available again, held by nobody, its delivery count kept.
    clock.advance(10_001);
    expect(await job(0)).toMatchObject({ state: 'available', deliveryCount: 1, memberId: null });
    // Accepted after a new fetch: the start offset moves past 0–2, which are finished.
    const again = await client.shareFetch('lookers', memberId, { maxRecords: 1, maxWaitMs: 0 });
    expect(again.records.map((r) => [r.offset, r.deliveryCount])).toEqual([[0, 2]]);
    await client.acknowledge('lookers', memberId, [{ ...at(0), type: 'accept' }]);
    for (const offset of [0, 1, 2]) expect(await job(offset)).toMatchObject({ state: 'finished', outcome: null });
    // The same through `shoal jobs get`.
    expect(
      JSON.parse(await cli(url, 'jobs', 'get', 'lookers', 'lookup', '--idempotency-key', 'job-3', '--json')),
    ).toEqual(await job(3));
    const shown = await cli(url, 'jobs', 'get', 'lookers', 'lookup', '--offset', '1');
    expect(shown).toMatch(/^job +lookup\/0@1$/m);
    expect(shown).toMatch(/^state +finished$/m);
    expect((await client.describeShareGroup('lookers')).partitions[0].startOffset).toBe(3);
  });

  it('waits for a job to be accepted, rejected or dead-lettered at its delivery limit (long polls)', async () => {
    const { client } = suite.broker;
    await client.createTopic({ name: 'waited', partitions: 1 });
    await client.createTopic({ name: 'waited-dlq', partitions: 1 });
    // 'slow' (offset 0) stays in flight, so the share-partition keeps the others' outcomes.
    await client.produce('waited', [
      { value: 'slow' },
      { value: 'ok', idempotencyKey: 'ok' },
      { value: 'bad' },
      { value: 'flaky' },
    ]);
    await client.updateShareGroupConfig('waiters', {
      autoOffsetReset: 'earliest',
      deliveryCountLimit: 1,
      deadLetterTopic: 'waited-dlq',
    });
    const { memberId } = await client.joinShareGroup('waiters', { topics: ['waited'] });
    // Waiting before the jobs are even fetched: nothing answers until they settle.
    const settled: string[] = [];
    const wait = (job: Parameters<typeof client.waitForJob>[2], name: string) =>
      client.waitForJob('waiters', 'waited', job, { timeoutMs: 30_000 }).then((view) => {
        settled.push(name);
        return view;
      });
    const ok = wait({ idempotencyKey: 'ok' }, 'ok');
    const bad = wait({ partition: 0, offset: 2 }, 'bad');
    const flaky = wait({ partition: 0, offset: 3 }, 'flaky');
    await client.shareFetch('waiters', memberId, { maxRecords: 4, maxWaitMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toEqual([]);
    const at = (offset: number) => ({ topic: 'waited', partition: 0, offset });
    await client.acknowledge('waiters', memberId, [{ ...at(1), type: 'accept' }]);
    expect(await ok).toMatchObject({ offset: 1, state: 'acknowledged', outcome: 'accepted' });
    await client.acknowledge('waiters', memberId, [{ ...at(2), type: 'reject', reason: 'malformed' }]);
    expect(await bad).toMatchObject({ offset: 2, state: 'archived', outcome: 'rejected' });
    // Released at its delivery limit (1): archived and dead-lettered.
    await client.acknowledge('waiters', memberId, [{ ...at(3), type: 'release', reason: 'flaked' }]);
    expect(await flaky).toMatchObject({ offset: 3, state: 'archived', outcome: 'rejected', deliveryCount: 1 });
    expect(settled).toEqual(['ok', 'bad', 'flaky']);
    expect((await client.read('waited-dlq', 0)).records.map((r) => r.value)).toEqual(['bad', 'flaky']);
    // A job that does not settle in time: its state when the wait runs out.
    const started = Date.now();
    const unsettled = await client.waitForJob('waiters', 'waited', { partition: 0, offset: 0 }, { timeoutMs: 500 });
    expect(unsettled).toMatchObject({ state: 'acquired' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    // Once the first is accepted the start offset moves past all four: finished, outcome no longer kept.
    const first = wait({ partition: 0, offset: 0 }, 'slow');
    await client.acknowledge('waiters', memberId, [{ ...at(0), type: 'accept' }]);
    expect(await first).toMatchObject({ state: 'finished', outcome: null });
    expect(await client.waitForJob('waiters', 'waited', { idempotencyKey: 'ok' })).toMatchObject({ state: 'finished' });
  });

  it('refuses what is not a job of the group', async () => {
    const { client, url } = suite.broker;
    await client.createTopic({ name: 'lookup-errors', partitions: 2 });
    await client.produce('lookup-errors', [{ value: 1, partition: 0 }]);
    await client.updateShareGroupConfig('lookup-errors-group', { autoOffsetReset: 'earliest' });
    const fails = (p: Promise<unknown>) => p.then(() => 'answered', errorCode);
    expect(await fails(client.shareJob('no-such-group', 'lookup-errors', 0, 0))).toBe('404 UNKNOWN_GROUP');
    expect(await fails(client.shareJob('lookup-errors-group', 'no-such-topic', 0, 0))).toBe('404 UNKNOWN_TOPIC');
    expect(await fails(client.shareJob('lookup-errors-group', 'lookup-errors', 2, 0))).toBe('400 UNKNOWN_PARTITION');
    expect(await fails(client.shareJob('lookup-errors-group', 'lookup-errors', 0, 1))).toBe('400 OFFSET_OUT_OF_RANGE');
    expect(await fails(client.shareJobByIdempotencyKey('lookup-errors-group', 'lookup-errors', 'nope'))).toBe(
      '404 UNKNOWN_IDEMPOTENCY_KEY',
    );
    const bad = await fetch(`${url}/v1/share-groups/lookup-errors-group/topics/lookup-errors/partitions/0/records/x`);
    expect(bad.status).toBe(400);
    // The group has not opened the partition yet: its records are all still available.
    expect(await client.shareJob('lookup-errors-group', 'lookup-errors', 0, 0)).toMatchObject({
      state: 'available',
      deliveryCount: 0,
    });
  });
});
