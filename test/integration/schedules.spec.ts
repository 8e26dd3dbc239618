import { ScheduleService } from '../../src/jobs/schedule.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { createTestStorage, STORAGE_KINDS } from '../support/storage.js';

// 2027-01-15T07:00:00Z, a Friday.
const T0 = Date.UTC(2027, 0, 15, 7, 0, 0);

describe.each(STORAGE_KINDS)(`${ScheduleService.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, T0);
  });
  afterAll(() => log.close());

  const schedules = () => log.service(ScheduleService);
  const stored = async (topic: string) =>
    (await log.reader.read(topic, 0, { offset: 0, maxRecords: 100, maxWaitMs: 0 })).records;

  it('appends the record at each tick, once, and runs ticks missed while no broker ran once', async () => {
    await log.topics.create('every-minute', 1, undefined);
    const start = log.clock.now();
    await schedules().upsert({
      name: 'minutely',
      topic: 'every-minute',
      cron: null,
      everyMs: 60_000,
      timezone: null,
      record: { key: 'tick', value: { job: 'report' } },
    });
    expect(await schedules().fireDue(start + 59_999)).toBe(0);
    log.clock.set(start + 60_000);
    await schedules().fireDue(log.clock.now());
    await schedules().fireDue(log.clock.now());
    // Five ticks pass with no broker running: one record stands for them.
    await log.restart();
    log.clock.set(start + 6 * 60_000 + 10);
    await schedules().fireDue(log.clock.now());
    await schedules().fireDue(log.clock.now());
    const records = await stored('every-minute');
    expect(records.map((r) => [r.offset, r.value, r.headers])).toEqual([
      [0, { job: 'report' }, { 'shoal.schedule': 'minutely', 'shoal.schedule.tick': String(start + 60_000) }],
      [1, { job: 'report' }, { 'shoal.schedule': 'minutely', 'shoal.schedule.tick': String(start + 120_000) }],
    ]);
    expect((await schedules().describe('minutely')).nextRunAt).toBe(start + 7 * 60_000);
  });

  it('describes a cron schedule in its timezone with its next runs, pauses, resumes and deletes it', async () => {
    await log.topics.create('cron-jobs', 1, undefined);
    log.clock.set(T0);
    await schedules().upsert({
      name: 'nine-berlin',
      topic: 'cron-jobs',
      cron: '0 9 * * 1-5',
      everyMs: null,
      timezone: 'Europe/Berlin',
      record: { value: 'standup' },
    });
    const described = await schedules().describe('nine-berlin');
    // 09:00 in Berlin is 08:00 UTC in winter; the weekend is skipped.
    expect(described.nextRuns.map((t) => new Date(t).toISOString())).toEqual([
      '2027-01-15T08:00:00.000Z',
      '2027-01-18T08:00:00.000Z',
      '2027-01-19T08:00:00.000Z',
      '2027-01-20T08:00:00.000Z',
      '2027-01-21T08:00:00.000Z',
    ]);
    expect((await schedules().setPaused('nine-berlin', true)).nextRunAt).toBeNull();
    log.clock.set(Date.UTC(2027, 0, 18, 12));
    await schedules().fireDue(log.clock.now());
    expect(await stored('cron-jobs')).toEqual([]);
    expect((await schedules().setPaused('nine-berlin', false)).nextRunAt).toBe(Date.UTC(2027, 0, 19, 8));
    expect((await schedules().list()).schedules.map((s) => s.name)).toContain('nine-berlin');
    await schedules().delete('nine-berlin');
    await expect(schedules().describe('nine-berlin')).rejects.toMatchObject({ code: 'UNKNOWN_SCHEDULE' });
    expect(await stored('cron-jobs')).toEqual([]);
  });

  it('refuses a bad cron pattern or timezone, and an unknown topic', async () => {
    const base = { name: 'bad', topic: 'nowhere', everyMs: null, timezone: null, record: { value: 1 } };
    await expect(schedules().upsert({ ...base, cron: 'not a cron' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(schedules().upsert({ ...base, cron: '* * * * *', timezone: 'Mars/Olympus' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(schedules().upsert({ ...base, cron: '* * * * *' })).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC' });
  });
});

describe(`${ScheduleService.name} with two brokers on one PostgreSQL`, () => {
  it('never lets both brokers fire one tick', async () => {
    const storage = await createTestStorage('postgres');
    const a = await openLogContext('postgres', T0, storage);
    const b = await openLogContext('postgres', T0, storage);
    try {
      await a.topics.create('two-brokers-tick', 1, undefined);
      for (let i = 0; i < 20; i++)
        await a.service(ScheduleService).upsert({
          name: `every-second-${i}`,
          topic: 'two-brokers-tick',
          cron: null,
          everyMs: 1_000,
          timezone: null,
          record: { value: i },
        });
      for (let tick = 1; tick <= 10; tick++) {
        const now = T0 + tick * 1_000;
        await Promise.all([
          a.service(ScheduleService).fireDue(now),
          b.service(ScheduleService).fireDue(now),
          b.service(ScheduleService).fireDue(now),
        ]);
      }
      const records = (await a.reader.read('two-brokers-tick', 0, { offset: 0, maxRecords: 1_000, maxWaitMs: 0 }))
        .records;
      const ticks = records.map((r) => `${r.headers['shoal.schedule']}@${r.headers['shoal.schedule.tick']}`);
      expect(ticks).toHaveLength(200);
      expect(new Set(ticks).size).toBe(200);
    } finally {
      await a.close();
      await b.close();
      await storage.dispose();
    }
  });
});
