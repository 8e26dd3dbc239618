import { ShoalApiError } from '@shoal/client';
import { ManualClock, systemClock } from '../../src/platform/clock.js';
import { ShareGroupService } from '../../src/share-groups/share-group.service.js';
import { JOB_NOTES_SWEEP_MS } from '../../src/share-groups/share-group.coordinator.js';
import { brokerPerSuite } from '../support/broker.js';
import { STORAGE_KINDS } from '../support/storage.js';
import { until } from '../support/until.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

const errorCode = (e: unknown) => (e instanceof ShoalApiError ? `${e.status} ${e.code}` : String(e));
const fails = (p: Promise<unknown>) => p.then(() => 'answered', errorCode);

/** Progress, results and the last reason of one job (issue 28): over HTTP, then from a transport worker in another process. */
describe.each(STORAGE_KINDS)('the life of a job on %s', (kind) => {
  describe('over HTTP', () => {
    const clock = new ManualClock(1_800_000_000_000);
    const suite = brokerPerSuite(kind, clock);

    it('keeps progress while a job runs, its result after the accept, its last reason, and its outcome past the start', async () => {
      const { client } = suite.broker;
      await client.createTopic({ name: 'life', partitions: 1 });
      await client.produce(
        'life',
        Array.from({ length: 4 }, (_, i) => ({ value: { job: i }, idempotencyKey: `life-${i}` })),
      );
      const config = await client.updateShareGroupConfig('lifers', {
        autoOffsetReset: 'earliest',
        recordLockDurationMs: 10_000,
        resultRetentionMs: 60_000,
      });
      expect(config.resultRetentionMs).toBe(60_000);
      expect((await client.describeShareGroup('lifers')).config.resultRetentionMs).toBe(60_000);
      const { memberId } = await client.joinShareGroup('lifers', { topics: ['life'] });
      expect((await client.shareFetch('lifers', memberId, { maxRecords: 4, maxWaitMs: 0 })).records).toHaveLength(4);
      const at = (offset: number) => ({ topic: 'life', partition: 0, offset });
      const job = (offset: number) => client.shareJob('lifers', 'life', 0, offset);

      // Progress: stored with the record, and a renewal of its lock.
      expect(await client.reportProgress('lifers', memberId, { ...at(0), value: { pct: 50 } })).toEqual({
        lockExpiresAt: clock.now() + 10_000,
      });
      clock.advance(8_000);
      await client.reportProgress('lifers', memberId, { ...at(0), value: { pct: 75, step: 'resize' } });
      expect(await job(0)).toMatchObject({
        state: 'acquired',
        progress: { pct: 75, step: 'resize' },
        lockExpiresAt: clock.now() + 10_000,
        result: null,
        reason: null,
      });
      expect(await client.shareJobByIdempotencyKey('lifers', 'life', 'life-0')).toEqual(await job(0));
      // Only the holder may; a value is bounded; null is a value.
      const other = await client.joinShareGroup('lifers', { topics: ['life'] });
      expect(await fails(client.reportProgress('lifers', other.memberId, { ...at(0), value: 1 }))).toBe(
        '409 INVALID_RECORD_STATE',
      );
      expect(await fails(client.reportProgress('lifers', memberId, { ...at(0), value: 'x'.repeat(5_000) }))).toBe(
        '400 INVALID_REQUEST',
      );
      expect(
        await fails(client.reportProgress('lifers', memberId, { topic: 'nope', partition: 0, offset: 0, value: 1 })),
      ).toBe('409 INVALID_RECORD_STATE');
      expect(await fails(client.reportProgress('lifers', 'no-such-member', { ...at(1), value: 1 }))).toBe(
        '404 UNKNOWN_MEMBER',
      );
      await client.reportProgress('lifers', memberId, { ...at(1), value: null });
      expect((await job(1)).progress).toBeNull();

      // The result rides on the accept (accept only, bounded); reasons on releases and rejects.
      expect(
        await fails(client.acknowledge('lifers', memberId, [{ ...at(2), type: 'reject', result: { no: 1 } }])),
      ).toBe('400 INVALID_REQUEST');
      expect(
        await fails(client.acknowledge('lifers', memberId, [{ ...at(0), type: 'accept', result: 'y'.repeat(70_000) }])),
      ).toBe('400 INVALID_REQUEST');
      const results = await client.acknowledge('lifers', memberId, [
        { ...at(0), type: 'accept', result: { sum: 6 } },
        { ...at(1), type: 'release', reason: 'busy' },
        { ...at(2), type: 'reject', reason: 'malformed' },
      ]);
      expect(results.map((r) => r.error)).toEqual([null, null, null]);
      // The first record accepted: the start moves past it at once, its outcome and result kept.
      expect(await job(0)).toMatchObject({
        state: 'finished',
        outcome: 'accepted',
        progress: { pct: 75, step: 'resize' },
        result: { sum: 6 },
      });
      expect(await job(1)).toMatchObject({ state: 'available', reason: 'busy', deliveryCount: 1 });
      expect(await job(2)).toMatchObject({ state: 'archived', outcome: 'rejected', reason: 'malformed' });

      // Offset 1 handed out again and accepted: the start moves past 0–2, the outcomes stay.
      const again = await client.shareFetch('lifers', memberId, { maxRecords: 1, maxWaitMs: 0 });
      expect(again.records.map((r) => r.offset)).toEqual([1]);
      await client.acknowledge('lifers', memberId, [{ ...at(1), type: 'accept' }]);
      expect((await client.describeShareGroup('lifers')).partitions[0].startOffset).toBe(3);
      expect(await job(0)).toMatchObject({ state: 'finished', outcome: 'accepted', result: { sum: 6 } });
      expect(await job(1)).toMatchObject({ state: 'finished', outcome: 'accepted', result: null, reason: 'busy' });
      expect(await job(2)).toMatchObject({ state: 'finished', outcome: 'rejected', reason: 'malformed' });
      expect(await client.waitForJob('lifers', 'life', { idempotencyKey: 'life-0' })).toMatchObject({
        state: 'finished',
        outcome: 'accepted',
        result: { sum: 6 },
      });

      // After the retention: gone from the lookup at once, from the table at the next sweep.
      clock.advance(60_001);
      expect(await job(0)).toMatchObject({ state: 'finished', outcome: null, result: null, progress: null });
      const sweep = () => suite.broker.app.get(ShareGroupService).sweep(clock.now());
      await sweep();
      clock.advance(JOB_NOTES_SWEEP_MS);
      await sweep();
      expect(await job(2)).toMatchObject({ state: 'finished', outcome: null, reason: null });
    });

    it('keeps no result or outcome past the start while the group keeps no results', async () => {
      const { client } = suite.broker;
      await client.createTopic({ name: 'forgotten', partitions: 1 });
      await client.produce('forgotten', [{ value: 1 }, { value: 2 }]);
      await client.updateShareGroupConfig('forgetters', { autoOffsetReset: 'earliest' });
      expect((await client.describeShareGroup('forgetters')).config.resultRetentionMs).toBeUndefined();
      const { memberId } = await client.joinShareGroup('forgetters', { topics: ['forgotten'] });
      await client.shareFetch('forgetters', memberId, { maxRecords: 2, maxWaitMs: 0 });
      const at = (offset: number) => ({ topic: 'forgotten', partition: 0, offset });
      await client.reportProgress('forgetters', memberId, { ...at(0), value: 'half' });
      await client.acknowledge('forgetters', memberId, [
        { ...at(0), type: 'accept', result: 42 },
        { ...at(1), type: 'reject', reason: 'bad' },
      ]);
      expect(await client.shareJob('forgetters', 'forgotten', 0, 0)).toMatchObject({
        state: 'finished',
        outcome: null,
        result: null,
      });
      expect(await client.shareJob('forgetters', 'forgotten', 0, 1)).toMatchObject({
        state: 'finished',
        reason: 'bad',
      });
      // The sweep deletes what finished unkept.
      clock.advance(JOB_NOTES_SWEEP_MS);
      await suite.broker.app.get(ShareGroupService).sweep(clock.now());
      expect(await client.shareJob('forgetters', 'forgotten', 0, 1)).toMatchObject({ reason: null, progress: null });
      expect(await fails(client.updateShareGroupConfig('forgetters', { resultRetentionMs: -1 }))).toBe(
        '400 INVALID_CONFIG',
      );
    });
  });

  describe('from a transport worker in another process', () => {
    const suite = brokerPerSuite(kind, systemClock);
    let worker: WorkerProcess | undefined;
    afterAll(async () => {
      worker?.child.kill('SIGTERM');
      await worker?.exited;
    });

    it('shows ctx.progress while the handler runs, its return value after the accept, the reason of a reject', async () => {
      const { client, url } = suite.broker;
      await client.createTopic({ name: 'life-jobs', partitions: 1 });
      await client.updateShareGroupConfig('life-workers', { autoOffsetReset: 'earliest', resultRetentionMs: 600_000 });
      worker = await spawnWorker({ url, topic: 'life-jobs', group: 'life-workers' });
      await client.produce('life-jobs', [
        { value: { id: 1, progress: { pct: 50 }, workMs: 1_500, result: { sum: 6 } }, idempotencyKey: 'one' },
        { value: { id: 2, fail: 'reject' }, idempotencyKey: 'two' },
      ]);
      const one = () => client.shareJobByIdempotencyKey('life-workers', 'life-jobs', 'one');
      await until(async () => (await one()).progress !== null, 10_000);
      expect(await one()).toMatchObject({ state: 'acquired', progress: { pct: 50 }, result: null });
      expect(worker.events.some((e) => e.event === 'done' && e.id === 1)).toBe(false);
      const done = await client.waitForJob(
        'life-workers',
        'life-jobs',
        { idempotencyKey: 'one' },
        { timeoutMs: 20_000 },
      );
      expect(done).toMatchObject({
        state: 'finished',
        outcome: 'accepted',
        result: { sum: 6 },
        progress: { pct: 50 },
      });
      const rejected = await client.waitForJob(
        'life-workers',
        'life-jobs',
        { idempotencyKey: 'two' },
        { timeoutMs: 20_000 },
      );
      expect(rejected).toMatchObject({ outcome: 'rejected', reason: 'job 2 is malformed', result: null });
    });
  });
});
