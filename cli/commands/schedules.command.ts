import { Command } from 'commander';
import type { JsonValue, ProduceRecord, ScheduleRequest, ScheduleView } from '@shoal/protocol';
import { action, integer, UsageError } from '../context.js';
import { table, time } from '../table.js';

interface CreateOptions {
  topic: string;
  cron?: string;
  everyMs?: number;
  timezone?: string;
  value?: string;
  key?: string;
  header?: Record<string, string>;
  attempts?: number;
}

/** `--value`: JSON when it parses, else the text itself (as `shoal produce` reads a line). */
function jsonOrText(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function headerOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`--header must be name=value, got ${value}`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

const when = (s: ScheduleView) =>
  s.cron === null ? `every ${s.everyMs} ms` : `cron ${s.cron} (${s.timezone ?? 'UTC'})`;

function scheduleTable(schedules: ScheduleView[]): string {
  return table(
    ['NAME', 'TOPIC', 'WHEN', 'PAUSED', 'NEXT RUN', 'LAST RUN'],
    schedules.map((s) => [s.name, s.topic, when(s), s.paused, time(s.nextRunAt), time(s.lastRunAt)]),
  );
}

/** `shoal schedules list|describe|create|pause|resume|delete`: repeating jobs. */
export function schedulesCommand(): Command {
  const schedules = new Command('schedules').description('repeating jobs: a record appended at each tick');
  schedules
    .command('list')
    .description('every schedule, by name')
    .action(
      action(async (cli) => {
        const list = await cli.client.listSchedules();
        cli.print({ schedules: list }, () => (list.length === 0 ? 'no schedules' : scheduleTable(list)));
      }),
    );
  schedules
    .command('describe <name>')
    .description('a schedule, its record and its next five runs')
    .action(
      action(async (cli, name: string) => {
        const s = await cli.client.describeSchedule(name);
        cli.print(s, () =>
          [
            scheduleTable([s]),
            `record: ${JSON.stringify(s.record)}`,
            `next runs: ${s.nextRuns.length === 0 ? '-' : s.nextRuns.map((t) => time(t)).join(', ')}`,
          ].join('\n'),
        );
      }),
    );
  schedules
    .command('create <name>')
    .description('create a schedule, or replace the one of that name')
    .requiredOption('-t, --topic <topic>', 'the topic each tick appends to')
    .option('--cron <pattern>', 'a cron pattern (5 fields, or 6 with seconds first)')
    .option('--timezone <zone>', 'the IANA time zone of --cron (UTC by default)')
    .option('--every-ms <ms>', 'a tick every this many ms (1000 or more)', integer('--every-ms'))
    .option('--value <json>', 'the record value: JSON when it parses, else a string (default null)')
    .option('-k, --key <key>', 'the record key')
    .option('-H, --header <name=value>', 'a record header (repeatable)', headerOption)
    .option('--attempts <n>', 'deliver each appended record at most n times (1 = run once)', integer('--attempts'))
    .action(
      action(async (cli, name: string, options: CreateOptions) => {
        if ((options.cron === undefined) === (options.everyMs === undefined))
          throw new UsageError('give exactly one of --cron and --every-ms');
        const record: ProduceRecord = { value: options.value === undefined ? null : jsonOrText(options.value) };
        if (options.key !== undefined) record.key = options.key;
        if (options.header !== undefined) record.headers = options.header;
        if (options.attempts !== undefined) record.attempts = options.attempts;
        const request: ScheduleRequest = { name, topic: options.topic, record };
        if (options.cron !== undefined) request.cron = options.cron;
        if (options.everyMs !== undefined) request.everyMs = options.everyMs;
        if (options.timezone !== undefined) request.timezone = options.timezone;
        const s = await cli.client.createSchedule(request);
        cli.print(s, () => `schedule ${s.name}: ${when(s)} to ${s.topic}, next run ${time(s.nextRunAt)}`);
      }),
    );
  for (const [verb, description] of [
    ['pause', 'stop appending until resumed'],
    ['resume', 'append again (ticks missed while paused are skipped)'],
  ] as const) {
    schedules
      .command(`${verb} <name>`)
      .description(description)
      .action(
        action(async (cli, name: string) => {
          const s = verb === 'pause' ? await cli.client.pauseSchedule(name) : await cli.client.resumeSchedule(name);
          cli.print(s, () => `schedule ${s.name} ${s.paused ? 'paused' : `resumed, next run ${time(s.nextRunAt)}`}`);
        }),
      );
  }
  schedules
    .command('delete <name>')
    .description('delete a schedule')
    .action(
      action(async (cli, name: string) => {
        await cli.client.deleteSchedule(name);
        cli.print({ deleted: name }, () => `deleted schedule ${name}`);
      }),
    );
  return schedules;
}
