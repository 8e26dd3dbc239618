import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '../platform/periodic-task.js';
import { yieldToEventLoop } from '../platform/yield-to-event-loop.js';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { type Clock, CLOCK } from '../platform/clock.js';
import type { AppendRecord } from '../log/domain/record.js';
import { ProduceHooks } from '../log/produce.hooks.js';
import { Database, type Sql } from '../storage/database.js';
import { idempotencyKeyStore } from './storage/idempotency-key.store.js';
import type { PartitionHead } from '../log/storage/log.store.js';
import { type ScheduledRow, scheduledRecordStore } from './storage/scheduled-record.store.js';
import { topicStore } from '../log/storage/topic.store.js';
import { LogAppender } from '../log/log-appender.js';
import { ChangeSignal, SCHEDULED_KEY } from '../platform/change-signal.js';
import { DEFAULT_IDEMPOTENCY_WINDOW_MS } from './job-produce.service.js';

/** Due records appended per transaction. */
const DELIVERY_BATCH = 1_000;
/** How often keys older than the idempotency window are forgotten. */
const KEY_EXPIRY_EVERY_MS = 60_000;
/** With nothing scheduled anywhere, how often delivery looks anyway (records another broker stored and left). */
const IDLE_LOOK_MS = 1_000;
/** Keys forgotten per statement: a short hold of the loop and the write lock, then others go. */
const KEY_EXPIRY_CHUNK = 1_000;

/**
 * Appends scheduled records when they are due: a cheap look every `schedulerIntervalMs`, and
 * when something is due one transaction takes the due rows (locked, skipping those another
 * broker holds), appends them and deletes them, so each is appended exactly once. `deliverDue`
 * is idempotent; tests call it with a chosen time.
 */
@Injectable()
export class ScheduledDeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduledDeliveryService.name);
  private readonly task: PeriodicTask;
  private readonly windowMs: number;
  private keysExpiredAt = 0;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  /** The last look found nothing scheduled: the signal's version before it, and when (performance.now()). */
  private nothingScheduled: { version: number; at: number } | undefined;

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    private readonly hooks: ProduceHooks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SHOAL_CONFIG) config: ShoalConfig,
    private readonly signal: ChangeSignal,
  ) {
    this.windowMs = config.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS;
    this.intervalMs = config.schedulerIntervalMs ?? 25;
    this.task = new PeriodicTask(
      'scheduled-record delivery',
      this.intervalMs,
      () => this.tick(this.clock.now()),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    return this.task.stop();
  }

  private async tick(now: number): Promise<void> {
    if (!this.idle()) await this.deliverAndArm(now);
    if (now - this.keysExpiredAt >= KEY_EXPIRY_EVERY_MS) {
      this.keysExpiredAt = now;
      await this.expireIdempotencyKeys(now);
    }
  }

  /** Forgets every key older than its topic's window as of `now`, a chunk at a time; answers how many. */
  async expireIdempotencyKeys(now: number): Promise<number> {
    let forgotten = 0;
    for (const { topicId, windowMs } of await this.database.run((sql) => idempotencyKeyStore.windows(sql))) {
      const before = now - (windowMs ?? this.windowMs);
      for (;;) {
        const n = await this.database.run((sql) => idempotencyKeyStore.expire(sql, topicId, before, KEY_EXPIRY_CHUNK));
        forgotten += n;
        await yieldToEventLoop();
        if (n < KEY_EXPIRY_CHUNK) break;
      }
    }
    return forgotten;
  }

  /**
   * Delivers what is due, then, when the next record falls before the next look, arms a timer
   * for its moment: a record waits for its time, not for the interval.
   */
  private async deliverAndArm(now: number): Promise<void> {
    for (;;) {
      const version = this.signal.version;
      const next = await this.database.run((sql) => scheduledRecordStore.nextDueAt(sql));
      this.nothingScheduled = next === null ? { version, at: performance.now() } : undefined;
      if (next === null) return;
      if (next <= now) {
        await this.deliverDue(now);
        now = this.clock.now();
        continue;
      }
      if (next - now < this.intervalMs && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.deliverAndArm(this.clock.now()).catch((error: unknown) =>
            this.logger.error(`scheduled-record delivery failed: ${String(error)}`),
          );
        }, next - now);
        this.timer.unref();
      }
      return;
    }
  }

  /**
   * Whether the look can be left out: it found nothing scheduled at all, nothing was scheduled
   * since (here, or on another broker and relayed), and it was less than {@link IDLE_LOOK_MS}
   * ago — so an idle broker does not query every `schedulerIntervalMs` for nothing. It still looks
   * that often: a record stored by a broker that went away before delivering it is found.
   */
  private idle(): boolean {
    const last = this.nothingScheduled;
    return (
      last !== undefined &&
      performance.now() - last.at < IDLE_LOOK_MS &&
      !this.signal.changedSince([SCHEDULED_KEY], last.version)
    );
  }

  /** Appends every record due by `now`; answers how many it appended. */
  async deliverDue(now: number): Promise<number> {
    let delivered = 0;
    for (;;) {
      const { count, heads, topics } = await this.database.transaction((sql) => this.deliverBatch(sql, now));
      this.appender.announce(heads);
      for (const [topic, records] of topics)
        this.hooks.produced.emit(
          topic,
          records.length,
          records.reduce((n, r) => n + r.size, 0),
        );
      delivered += count;
      if (count < DELIVERY_BATCH) break;
      await yieldToEventLoop(); // requests go between the batches
    }
    return delivered;
  }

  private async deliverBatch(sql: Sql, now: number) {
    const due = await scheduledRecordStore.takeDue(sql, now, DELIVERY_BATCH);
    if (due.length === 0) return { count: 0, heads: [], topics: new Map<string, AppendRecord[]>() };
    const byTopic = new Map<number, ScheduledRow[]>();
    for (const row of due) byTopic.set(row.topicId, [...(byTopic.get(row.topicId) ?? []), row]);
    const names = new Map((await topicStore.findByIds(sql, [...byTopic.keys()])).map((t) => [t.id, t.name]));
    const heads: PartitionHead[] = [];
    const topics = new Map<string, AppendRecord[]>();
    for (const [topicId, rows] of byTopic) {
      const name = names.get(topicId);
      if (name === undefined) continue; // deleted meanwhile: its scheduled records went with it
      const records = rows.map(toAppendRecord);
      const result = await this.appender.append(sql, [{ topic: name, records }]);
      const outcome = result.outcomes[0];
      if (!outcome.ok) continue;
      heads.push(...result.heads);
      topics.set(name, records);
      for (const [i, row] of rows.entries()) {
        if (row.idempotencyKey === null) continue;
        const { partition, offset } = outcome.value[i];
        await idempotencyKeyStore.record(sql, topicId, row.idempotencyKey, {
          partition,
          offset,
          scheduledId: null,
          deliverAt: null,
        });
      }
    }
    return { count: due.length, heads, topics };
  }
}

function toAppendRecord(row: ScheduledRow): AppendRecord {
  return {
    key: row.key,
    value: row.value,
    headers: row.headers,
    timestamp: row.timestamp,
    partition: row.partition,
    size: row.size,
  };
}
