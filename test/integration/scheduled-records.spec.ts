import { ScheduledDeliveryService } from '../../src/jobs/scheduled-delivery.service.js';
import { ScheduledRecordService } from '../../src/jobs/scheduled-record.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { createTestStorage, STORAGE_KINDS } from '../support/storage.js';

const T0 = 1_800_000_000_000;

describe.each(STORAGE_KINDS)(`${ScheduledDeliveryService.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, T0);
  });
  afterAll(() => log.close());

  const delivery = () => log.service(ScheduledDeliveryService);
  const values = async (topic: string, partition = 0) =>
    (await log.reader.read(topic, partition, { offset: 0, maxRecords: 100, maxWaitMs: 0 })).records.map((r) => [
      r.offset,
      r.value,
    ]);

  it('accepts a scheduled record at once and appends it when due, after what was appended before, with dense offsets', async () => {
    await log.topics.create('sched-order', 1, undefined);
    const now = log.clock.now();
    const answer = await log.produce('sched-order', [
      { value: 'later', delayMs: 10_000 },
      { value: 'now-1' },
      { value: 'at', deliverAt: now + 5_000 },
    ]);
    expect(answer).toEqual([
      { partition: 0, offset: -1, scheduledId: expect.any(String), deliverAt: now + 10_000 },
      { partition: 0, offset: 0 },
      { partition: 0, offset: -1, scheduledId: expect.any(String), deliverAt: now + 5_000 },
    ]);
    const listed = await log.service(ScheduledRecordService).list('sched-order', 10);
    expect(listed.scheduledRecords.map((r) => [r.value, r.deliverAt])).toEqual([
      ['at', now + 5_000],
      ['later', now + 10_000],
    ]);

    await delivery().deliverDue(now + 4_999);
    expect(await values('sched-order')).toEqual([[0, 'now-1']]);
    log.clock.advance(5_000);
    await delivery().deliverDue(log.clock.now());
    await log.produce('sched-order', [{ value: 'now-2' }]);
    log.clock.advance(5_000);
    await delivery().deliverDue(log.clock.now());
    await delivery().deliverDue(log.clock.now());
    expect(await values('sched-order')).toEqual([
      [0, 'now-1'],
      [1, 'at'],
      [2, 'now-2'],
      [3, 'later'],
    ]);
    expect((await log.service(ScheduledRecordService).list('sched-order', 10)).scheduledRecords).toEqual([]);
  });

  it('keeps a scheduled record across a restart and appends it once', async () => {
    await log.topics.create('sched-restart', 2, undefined);
    const [position] = await log.produce('sched-restart', [{ key: 'k', value: 'job', delayMs: 60_000 }]);
    await log.restart();
    log.clock.advance(60_000);
    await Promise.all([delivery().deliverDue(log.clock.now()), delivery().deliverDue(log.clock.now())]);
    await delivery().deliverDue(log.clock.now() + 1_000);
    expect(await values('sched-restart', position.partition)).toEqual([[0, 'job']]);
  });

  it('cancels a waiting record by id, and says so when it is gone', async () => {
    await log.topics.create('sched-cancel', 1, undefined);
    const [position] = await log.produce('sched-cancel', [{ value: 'x', delayMs: 1_000 }]);
    const service = log.service(ScheduledRecordService);
    await service.cancel('sched-cancel', position.scheduledId!);
    await expect(service.cancel('sched-cancel', position.scheduledId!)).rejects.toMatchObject({
      code: 'UNKNOWN_SCHEDULED_RECORD',
    });
    log.clock.advance(1_000);
    await delivery().deliverDue(log.clock.now());
    expect(await values('sched-cancel')).toEqual([]);
  });

  it('answers a repeated idempotency key with the first record and writes it once', async () => {
    await log.topics.create('idem-jobs', 3, undefined);
    const first = await log.produce('idem-jobs', [{ value: 'a', idempotencyKey: 'order-1' }]);
    // The answer was lost; the producer sends the same batch again.
    const again = await log.produce('idem-jobs', [
      { value: 'a', idempotencyKey: 'order-1' },
      { value: 'b', idempotencyKey: 'order-2' },
      { value: 'b', idempotencyKey: 'order-2' },
    ]);
    expect(again[0]).toEqual({ ...first[0], duplicate: true });
    expect(again[2]).toEqual({ ...again[1], duplicate: true });
    const stored = (await log.topics.describe('idem-jobs')).partitions.reduce((n, p) => n + p.endOffset, 0);
    expect(stored).toBe(2);
  });

  it('gives a duplicate of a scheduled record its id, then its offset once appended', async () => {
    await log.topics.create('idem-sched', 1, undefined);
    const [first] = await log.produce('idem-sched', [{ value: 'r', delayMs: 1_000, idempotencyKey: 'retry-7' }]);
    const [dup] = await log.produce('idem-sched', [{ value: 'r', delayMs: 1_000, idempotencyKey: 'retry-7' }]);
    expect(dup).toEqual({ ...first, duplicate: true });
    log.clock.advance(1_000);
    await delivery().deliverDue(log.clock.now());
    const [later] = await log.produce('idem-sched', [{ value: 'r', idempotencyKey: 'retry-7' }]);
    expect(later).toEqual({ partition: 0, offset: 0, duplicate: true });
    expect(await values('idem-sched')).toEqual([[0, 'r']]);
  });

  it('takes a key again once it is older than the window (24 h by default)', async () => {
    await log.topics.create('idem-window', 1, undefined);
    await log.produce('idem-window', [{ value: 1, idempotencyKey: 'k' }]);
    log.clock.advance(86_400_001);
    const [second] = await log.produce('idem-window', [{ value: 2, idempotencyKey: 'k' }]);
    expect(second).toEqual({ partition: 0, offset: 1 });
  });

  it("uses the topic's own window when its config sets one, and forgets expired keys", async () => {
    await log.topics.create('idem-short', 1, { idempotencyWindowMs: 5_000 });
    expect((await log.topics.describe('idem-short')).config).toEqual({
      retentionMs: null,
      retentionBytes: null,
      idempotencyWindowMs: 5_000,
    });
    await log.produce('idem-short', [{ value: 1, idempotencyKey: 'k' }]);
    log.clock.advance(4_999);
    expect((await log.produce('idem-short', [{ value: 2, idempotencyKey: 'k' }]))[0].duplicate).toBe(true);
    log.clock.advance(2);
    expect(await log.produce('idem-short', [{ value: 3, idempotencyKey: 'k' }])).toEqual([{ partition: 0, offset: 1 }]);
    log.clock.advance(5_001);
    expect(await delivery().expireIdempotencyKeys(log.clock.now())).toBeGreaterThanOrEqual(1);
    expect((await log.produce('idem-short', [{ value: 4, idempotencyKey: 'k' }]))[0].duplicate).toBeUndefined();
    await log.topics.update('idem-short', { config: { idempotencyWindowMs: null } });
    expect((await log.topics.describe('idem-short')).config).not.toHaveProperty('idempotencyWindowMs');
  });

  it('forgets expired keys in chunks, only those past their own topic’s window', async () => {
    await log.topics.create('idem-many', 1, { idempotencyWindowMs: 1_000 });
    await log.topics.create('idem-kept', 1, undefined);
    const keys = Array.from({ length: 2_500 }, (_, i) => ({ value: i, idempotencyKey: `many-${i}` }));
    await log.produce('idem-many', keys);
    await log.produce('idem-kept', [{ value: 1, idempotencyKey: 'kept' }]);
    log.clock.advance(1_001);
    expect(await delivery().expireIdempotencyKeys(log.clock.now())).toBe(2_500);
    expect(await delivery().expireIdempotencyKeys(log.clock.now())).toBe(0);
    expect((await log.produce('idem-kept', [{ value: 2, idempotencyKey: 'kept' }]))[0].duplicate).toBe(true);
  });
});

// Two brokers in one process share a SQLite file only through separate processes (see the e2e
// test); on PostgreSQL two application contexts are two brokers.
describe(`${ScheduledDeliveryService.name} with two brokers on one PostgreSQL`, () => {
  it('appends each due record exactly once while both deliver', async () => {
    const storage = await createTestStorage('postgres');
    const a = await openLogContext('postgres', T0, storage);
    const b = await openLogContext('postgres', T0, storage);
    try {
      await a.topics.create('sched-two', 4, undefined);
      await a.produce(
        'sched-two',
        Array.from({ length: 400 }, (_, i) => ({ value: i, delayMs: 1_000 + (i % 7) })),
      );
      await b.produce(
        'sched-two',
        Array.from({ length: 400 }, (_, i) => ({ value: 400 + i, delayMs: 1_000 + (i % 5) })),
      );
      const due = T0 + 2_000;
      await Promise.all([
        a.service(ScheduledDeliveryService).deliverDue(due),
        b.service(ScheduledDeliveryService).deliverDue(due),
        a.service(ScheduledDeliveryService).deliverDue(due),
        b.service(ScheduledDeliveryService).deliverDue(due),
      ]);
      const seen: number[] = [];
      for (let p = 0; p < 4; p++)
        seen.push(
          ...(await a.reader.read('sched-two', p, { offset: 0, maxRecords: 1_000, maxWaitMs: 0 })).records.map(
            (r) => r.value as number,
          ),
        );
      expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 800 }, (_, i) => i));
    } finally {
      await a.close();
      await b.close();
      await storage.dispose();
    }
  });
});
