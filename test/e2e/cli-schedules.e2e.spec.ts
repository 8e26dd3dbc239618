import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScheduleDescription, ScheduleView } from '@shoal/protocol';
import { ShoalApiError } from '@shoal/client';
import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { until } from '../support/until.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Issue 27: repeating jobs through `@shoal/client`'s typed methods and `shoal schedules …`, and
 * `shoal dlq redrive --group`, against a broker process.
 */
describe('schedules and group redrive in @shoal/client and the shoal CLI', () => {
  let dir: string;
  let broker: BrokerProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-cli-schedules-'));
    broker = await spawnBroker(`sqlite:${join(dir, 'shoal.db')}`);
    await broker.client.createTopic({ name: 'sched-jobs', partitions: 1 });
  });
  afterAll(async () => {
    await broker.client.close();
    broker.child.kill('SIGTERM');
    await new Promise((resolve) => broker.child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function shoal(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['bin/shoal.js', ...args], {
        env: { ...process.env, NODE_OPTIONS: '', SHOAL_URL: broker.url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });
  }
  async function json<T>(args: string[]): Promise<T> {
    const run = await shoal([...args, '--json']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout) as T;
  }

  it('creates, lists, describes, pauses, resumes and deletes schedules with the typed client', async () => {
    const { client } = broker;
    const created = await client.createSchedule({
      name: 'client-nightly',
      topic: 'sched-jobs',
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      record: { value: { report: 'daily' }, attempts: 1 },
    });
    expect(created).toMatchObject({
      name: 'client-nightly',
      cron: '0 3 * * *',
      everyMs: null,
      timezone: 'Europe/Paris',
      paused: false,
      lastRunAt: null,
      record: { value: { report: 'daily' }, attempts: 1 },
    });
    expect((await client.listSchedules()).map((s) => s.name)).toContain('client-nightly');
    const described = await client.describeSchedule('client-nightly');
    expect(described.nextRuns).toHaveLength(5);
    expect(described.nextRuns[0]).toBe(created.nextRunAt);
    expect(await client.pauseSchedule('client-nightly')).toMatchObject({ paused: true, nextRunAt: null });
    expect((await client.describeSchedule('client-nightly')).nextRuns).toEqual([]);
    expect((await client.resumeSchedule('client-nightly')).paused).toBe(false);
    await client.deleteSchedule('client-nightly');
    const missing = await client.describeSchedule('client-nightly').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ShoalApiError);
    expect(missing).toMatchObject({ status: 404, code: 'UNKNOWN_SCHEDULE' });
  });

  it('manages schedules with shoal schedules …, and a tick appends the record with its attempts', async () => {
    const created = await json<ScheduleView>([
      'schedules',
      'create',
      'cli-every',
      '--topic',
      'sched-jobs',
      '--every-ms',
      '1000',
      '--value',
      '{"job":"sweep"}',
      '--key',
      'k1',
      '-H',
      'origin=cli',
      '--attempts',
      '1',
    ]);
    expect(created).toMatchObject({
      name: 'cli-every',
      topic: 'sched-jobs',
      everyMs: 1000,
      cron: null,
      record: { value: { job: 'sweep' }, key: 'k1', headers: { origin: 'cli' }, attempts: 1 },
    });
    await until(async () => (await broker.client.describeTopic('sched-jobs')).partitions[0].endOffset > 0);
    const [record] = (await broker.client.read('sched-jobs', 0, { offset: 0, maxRecords: 1 })).records;
    expect(record).toMatchObject({ key: 'k1', value: { job: 'sweep' } });
    expect(record.headers).toMatchObject({ origin: 'cli', 'shoal.attempts': '1', 'shoal.schedule': 'cli-every' });

    const listed = await shoal(['schedules', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/NAME\s+TOPIC\s+WHEN\s+PAUSED\s+NEXT RUN\s+LAST RUN/);
    expect(listed.stdout).toMatch(/cli-every\s+sched-jobs\s+every 1000 ms\s+false/);
    expect((await json<{ schedules: ScheduleView[] }>(['schedules', 'list'])).schedules.map((s) => s.name)).toEqual([
      'cli-every',
    ]);
    const described = await json<ScheduleDescription>(['schedules', 'describe', 'cli-every']);
    expect(described.nextRuns).toHaveLength(5);
    expect((await shoal(['schedules', 'describe', 'cli-every'])).stdout).toContain('next runs: ');
    expect(await json<ScheduleView>(['schedules', 'pause', 'cli-every'])).toMatchObject({ paused: true });
    expect((await shoal(['schedules', 'resume', 'cli-every'])).stdout).toContain('schedule cli-every resumed');
    expect(
      await json<ScheduleView>([
        'schedules',
        'create',
        'cli-cron',
        '-t',
        'sched-jobs',
        '--cron',
        '*/5 * * * *',
        '--timezone',
        'UTC',
        '--value',
        'plain text',
      ]),
    ).toMatchObject({ cron: '*/5 * * * *', timezone: 'UTC', record: { value: 'plain text' } });
    expect(await json(['schedules', 'delete', 'cli-every'])).toEqual({ deleted: 'cli-every' });
    expect(await json(['schedules', 'delete', 'cli-cron'])).toEqual({ deleted: 'cli-cron' });
    const missing = await shoal(['schedules', 'describe', 'cli-every']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('UNKNOWN_SCHEDULE');
  });

  it('refuses bad usage with exit code 3 and passes the broker refusals on with exit code 1', async () => {
    for (const args of [
      ['schedules', 'create', 'bad', '-t', 'sched-jobs'],
      ['schedules', 'create', 'bad', '-t', 'sched-jobs', '--cron', '* * * * *', '--every-ms', '1000'],
      ['schedules', 'create', 'bad', '-t', 'sched-jobs', '--every-ms', 'soon'],
      ['schedules', 'create', 'bad', '--every-ms', '1000'],
    ]) {
      const run = await shoal(args);
      expect({ args, code: run.code }).toEqual({ args, code: 3 });
    }
    const refused = await shoal(['schedules', 'create', 'bad', '-t', 'no-such-topic', '--every-ms', '1000', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'UNKNOWN_TOPIC', status: 404 } });
    expect((await json<{ schedules: ScheduleView[] }>(['schedules', 'list'])).schedules).toEqual([]);
  });

  it('redrives a dead-letter topic into one share group with shoal dlq redrive --group', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'cli-rg-jobs', partitions: 1 });
    await client.createTopic({ name: 'cli-rg-dlq', partitions: 1 });
    await client.updateShareGroupConfig('cli-rg-workers', {
      autoOffsetReset: 'earliest',
      deadLetterTopic: 'cli-rg-dlq',
    });
    await client.produce('cli-rg-jobs', [{ value: 'job' }]);
    const { memberId } = await client.joinShareGroup('cli-rg-workers', { topics: ['cli-rg-jobs'] });
    await client.shareFetch('cli-rg-workers', memberId, { maxRecords: 1 });
    await client.acknowledge('cli-rg-workers', memberId, [
      { topic: 'cli-rg-jobs', partition: 0, offset: 0, type: 'reject' },
    ]);
    const run = await shoal(['dlq', 'redrive', 'cli-rg-dlq', '--group', 'cli-rg-workers']);
    expect({ code: run.code, stdout: run.stdout.trim() }).toEqual({
      code: 0,
      stdout: 'made 1 records of cli-rg-dlq available again in cli-rg-workers (0 redriven before, 0 skipped)',
    });
    const again = await client.shareFetch('cli-rg-workers', memberId, { maxRecords: 1 });
    expect(again.records.map((r) => [r.offset, r.deliveryCount, r.value])).toEqual([[0, 1, 'job']]);
    expect((await client.describeTopic('cli-rg-jobs')).partitions[0].endOffset).toBe(1);
    const unknown = await shoal(['dlq', 'redrive', 'cli-rg-dlq', '--group', 'nobody', '--json']);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: { code: 'UNKNOWN_GROUP', status: 404 } });
  });
});
