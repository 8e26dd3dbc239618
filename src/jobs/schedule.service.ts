import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ProduceRecord, ScheduleDescription, ScheduleList, ScheduleView } from '@shoal/protocol';
import { PeriodicTask } from '../platform/periodic-task.js';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { type Clock, CLOCK } from '../platform/clock.js';
import { UnknownScheduleError, UnknownTopicError } from '../platform/errors/index.js';
import type { AppendRecord } from '../log/domain/record.js';
import { encodeRecord } from '../log/domain/record-codec.js';
import { Database, type Sql } from '../storage/database.js';
import type { PartitionHead } from '../log/storage/log.store.js';
import { type ScheduleRow, scheduleStore } from './storage/schedule.store.js';
import { topicStore } from '../log/storage/topic.store.js';
import { ProduceHooks } from '../log/produce.hooks.js';
import { LogAppender } from '../log/log-appender.js';
import { assertTiming, nextTick, nextTicks, type ScheduleTiming } from './schedule-timing.js';

/** A schedule as the HTTP edge checked it. */
export interface ScheduleInput {
  name: string;
  topic: string;
  cron: string | null;
  everyMs: number | null;
  timezone: string | null;
  record: ProduceRecord;
}

/** Header naming the schedule on each record it appends, and the tick (ms) the record stands for. */
export const SCHEDULE_HEADER = 'shoal.schedule';
export const SCHEDULE_TICK_HEADER = 'shoal.schedule.tick';
const TICKS_PER_TRANSACTION = 100;

/**
 * Repeating jobs. Each tick appends the schedule's record once across all brokers: the due
 * schedule rows are locked (skipping those another broker holds), the record appended and the
 * next tick stored in one transaction. Ticks missed while no broker ran (or while the row was
 * due) are run once, not once each: the record stands for the earliest missed tick
 * (`shoal.schedule.tick`), and the next tick is the first after now.
 */
@Injectable()
export class ScheduleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleService.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    private readonly hooks: ProduceHooks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
  ) {
    this.task = new PeriodicTask(
      'schedule ticks',
      // Ticks need no better than a tenth of a second: a quarter of the look for due records.
      Math.max(100, 4 * (config.schedulerIntervalMs ?? 25)),
      () => this.fireDue(this.clock.now()),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Creates the schedule, or replaces the one of that name (its next tick computed afresh). */
  async upsert(input: ScheduleInput): Promise<ScheduleView> {
    const now = this.clock.now();
    const timing: ScheduleTiming = { ...input, anchor: now };
    assertTiming(timing, now);
    this.encode(input.name, input.record, now);
    return this.database.transaction(async (sql) => {
      const topic = await topicStore.findByName(sql, input.topic);
      if (!topic) throw new UnknownTopicError(input.topic);
      const row: ScheduleRow = {
        ...input,
        topicId: topic.id,
        record: JSON.stringify(input.record),
        paused: false,
        nextRunAt: nextTick(timing, now)!,
        lastRunAt: null,
        createdAt: now,
      };
      await scheduleStore.upsert(sql, row);
      return toView(row);
    });
  }

  async list(): Promise<ScheduleList> {
    return { schedules: (await this.database.run((sql) => scheduleStore.list(sql))).map(toView) };
  }

  async describe(name: string): Promise<ScheduleDescription> {
    const row = await this.database.run((sql) => this.find(sql, name));
    const after = Math.max(this.clock.now(), row.nextRunAt - 1);
    return { ...toView(row), nextRuns: row.paused ? [] : [row.nextRunAt, ...nextTicks(timingOf(row), after + 1, 4)] };
  }

  /** Pauses (no tick appends) or resumes (from the first tick after now: ticks missed while paused are skipped). */
  async setPaused(name: string, paused: boolean): Promise<ScheduleView> {
    return this.database.transaction(async (sql) => {
      const row = await this.find(sql, name);
      const nextRunAt = paused ? row.nextRunAt : (nextTick(timingOf(row), this.clock.now()) ?? row.nextRunAt);
      await scheduleStore.advance(sql, name, row.lastRunAt, nextRunAt, paused);
      return toView({ ...row, paused, nextRunAt });
    });
  }

  async delete(name: string): Promise<void> {
    await this.database.run(async (sql) => {
      if (!(await scheduleStore.delete(sql, name))) throw new UnknownScheduleError(name);
    });
  }

  /** Runs every tick due by `now`, each once across brokers; answers how many records it appended. */
  async fireDue(now: number): Promise<number> {
    // A peek: the look tells nobody what it read (a due tick is fired in a transaction of its
    // own), so it does not wait for (nor start) the flush of commits it may see.
    if (!(await this.database.peek((sql) => scheduleStore.anyDue(sql, now)))) return 0;
    const { fired, heads } = await this.database.transaction((sql) => this.fireBatch(sql, now));
    this.appender.announce(heads);
    for (const [topic, record] of fired) this.hooks.produced.emit(topic, 1, record.size);
    return fired.length;
  }

  private async fireBatch(sql: Sql, now: number) {
    const due = await scheduleStore.lockDue(sql, now, TICKS_PER_TRANSACTION);
    const fired: [string, AppendRecord][] = [];
    const heads: PartitionHead[] = [];
    for (const row of due) {
      const next = nextTick(timingOf(row), now);
      await scheduleStore.advance(sql, row.name, row.nextRunAt, next ?? row.nextRunAt, next === null);
      let record: AppendRecord;
      try {
        record = this.encode(row.name, JSON.parse(row.record) as ProduceRecord, row.nextRunAt);
      } catch (error) {
        this.logger.warn(`schedule ${row.name}: record no longer valid: ${String(error)}`);
        continue;
      }
      const result = await this.appender.append(sql, [{ topic: row.topic, records: [record] }]);
      if (!result.outcomes[0].ok) continue;
      heads.push(...result.heads);
      fired.push([row.topic, record]);
    }
    return { fired, heads };
  }

  /** The schedule's record with its headers; checked at creation, so a tick never fails on it. */
  private encode(name: string, record: ProduceRecord, tick: number): AppendRecord {
    if (Array.isArray(record.headerList)) {
      const headerList = [
        ...record.headerList,
        { name: SCHEDULE_HEADER, value: name },
        { name: SCHEDULE_TICK_HEADER, value: String(tick) },
      ];
      return encodeRecord({ ...record, headerList }, 0, this.config.maxRecordBytes);
    }
    const headers = { ...record.headers, [SCHEDULE_HEADER]: name, [SCHEDULE_TICK_HEADER]: String(tick) };
    return encodeRecord({ ...record, headers }, 0, this.config.maxRecordBytes);
  }

  private async find(sql: Sql, name: string): Promise<ScheduleRow> {
    const row = await scheduleStore.find(sql, name);
    if (!row) throw new UnknownScheduleError(name);
    return row;
  }
}

function timingOf(row: ScheduleRow): ScheduleTiming {
  return { cron: row.cron, everyMs: row.everyMs, timezone: row.timezone, anchor: row.createdAt };
}

function toView(row: ScheduleRow): ScheduleView {
  return {
    name: row.name,
    topic: row.topic,
    cron: row.cron,
    everyMs: row.everyMs,
    timezone: row.timezone,
    record: JSON.parse(row.record) as ProduceRecord,
    paused: row.paused,
    nextRunAt: row.paused ? null : row.nextRunAt,
    lastRunAt: row.lastRunAt,
  };
}
