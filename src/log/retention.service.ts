import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { type Clock, CLOCK } from '../platform/clock.js';
import { byteRetentionCut } from './domain/retention.js';
import type { Topic } from './domain/topic.js';
import { Database } from '../storage/database.js';
import { logStore } from './storage/log.store.js';
import { PeriodicTask } from '../platform/periodic-task.js';
import { yieldToEventLoop } from '../platform/yield-to-event-loop.js';
import { readerFloorStore } from './storage/reader-floor.store.js';
import { topicStore } from './storage/topic.store.js';
import { TopicService } from './topic.service.js';
import { TopicUse } from './topic-use.js';

/** Sizes read per statement when byte retention walks a partition. */
const SIZE_PAGE = 5_000;
/**
 * Records deleted per transaction, so a large trim never holds the writer (or, on SQLite, the
 * event loop) for more than a few milliseconds; other work goes between the chunks.
 */
const DELETE_CHUNK = 5_000;

/**
 * Enforces each topic's retention: records older than `retentionMs`, and the oldest records
 * beyond `retentionBytes` per partition, are deleted from the front of the log and the start
 * offset moves past them — but, unless the topic's `retentionRespectsShareGroups` is false, never
 * past the first unfinished record of a share group that reads the partition. The completed-job
 * cleanup (`completedMaxAgeMs`, `completedMaxCount`) deletes, from the front, records that every
 * group reading the partition (share groups' starts, consumer groups' committed offsets) has
 * finished, once older than the age or beyond the count. `sweep(now)` is idempotent; a timer calls it every few seconds and
 * tests call it with a chosen time. Every step (a page of sizes, a chunk deleted) is a bounded
 * statement and the event loop is given back between steps, so a sweep of millions of records
 * is many short pauses rather than one long one. Before each sweep, topics with
 * `deleteAfterIdleMs` that nobody used for that long are deleted ({@link expireIdleTopics}).
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly database: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SHOAL_CONFIG) config: ShoalConfig,
    private readonly topics: TopicService,
    private readonly use: TopicUse,
  ) {
    this.task = new PeriodicTask(
      'retention sweep',
      config.retentionIntervalMs,
      async () => {
        const now = this.clock.now();
        await this.expireIdleTopics(now);
        await this.sweep(now);
      },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /**
   * Writes this broker's topic uses down, then deletes the topics left unused for their
   * `deleteAfterIdleMs` as of `now` (by any broker: each writes its uses before it looks).
   * Answers the names deleted.
   */
  async expireIdleTopics(now: number): Promise<string[]> {
    await this.database.run((sql) => this.use.flush(sql));
    return this.topics.deleteIdle(now);
  }

  /** Applies retention as of `now`; answers how many records it deleted. */
  async sweep(now: number): Promise<number> {
    let deleted = 0;
    const topics = await this.database.run((sql) => topicStore.listWithRetention(sql));
    for (const topic of topics) {
      for (let partition = 0; partition < topic.partitionCount; partition++) {
        deleted += await this.trimPartition(topic, partition, now);
        await yieldToEventLoop();
      }
    }
    return deleted;
  }

  private async trimPartition(topic: Topic, partition: number, now: number): Promise<number> {
    const target = await this.retentionStart(topic, partition, now);
    if (target === null) return 0;
    let deleted = 0;
    for (;;) {
      const step = await this.database.transaction(async (sql) => {
        const window = await logStore.lockWindow(sql, topic.id, partition);
        if (!window || window.startOffset >= target) return 0;
        let next = Math.min(target, window.startOffset + DELETE_CHUNK, window.endOffset);
        if (respectsShareGroups(topic)) {
          // Again inside the trim: a share group may have opened the partition meanwhile.
          const floor = await readerFloorStore.shareStart(sql, topic.id, partition);
          if (floor !== null) next = Math.min(next, floor);
        }
        if (next <= window.startOffset) return 0;
        await logStore.truncateBefore(sql, topic.id, partition, window.startOffset, next);
        return next - window.startOffset;
      });
      if (step === 0) break;
      deleted += step;
      await yieldToEventLoop();
    }
    if (deleted > 0) this.logger.log(`retention removed ${deleted} records from ${topic.name}/${partition}`);
    return deleted;
  }

  /** The start offset retention asks for, or null when nothing needs to go. */
  private async retentionStart(topic: Topic, partition: number, now: number): Promise<number | null> {
    const window = await this.database.run((sql) => logStore.lockWindow(sql, topic.id, partition));
    if (!window || window.startOffset === window.endOffset) return null;
    let target = window.startOffset;
    const { retentionMs, retentionBytes } = topic.config;
    if (retentionMs !== null) {
      target = await this.database.run((sql) =>
        logStore.firstOffsetAtOrAfter(
          sql,
          topic.id,
          partition,
          window.startOffset,
          window.endOffset,
          now - retentionMs,
        ),
      );
    }
    if (retentionBytes !== null && window.byteSize > retentionBytes)
      target = Math.max(target, await this.byteRetentionStart(topic, partition, window, retentionBytes));
    if (target > window.startOffset && respectsShareGroups(topic)) {
      const floor = await this.database.run((sql) => readerFloorStore.shareStart(sql, topic.id, partition));
      if (floor !== null) target = Math.max(window.startOffset, Math.min(target, floor));
    }
    target = Math.max(target, await this.completedStart(topic, partition, window, now));
    return target > window.startOffset ? target : null;
  }

  /**
   * The start offset the completed-job cleanup asks for: past the finished records (below every
   * reading group's floor) older than `completedMaxAgeMs` or beyond the newest
   * `completedMaxCount`; the current start when neither is set or no group reads the partition.
   */
  private async completedStart(
    topic: Topic,
    partition: number,
    window: { startOffset: number; endOffset: number },
    now: number,
  ): Promise<number> {
    const { completedMaxAgeMs: maxAge, completedMaxCount: maxCount } = topic.config;
    const hasAge = maxAge !== undefined && maxAge !== null;
    const hasCount = maxCount !== undefined && maxCount !== null;
    if (!hasAge && !hasCount) return window.startOffset;
    const finished = await this.database.run((sql) => readerFloorStore.finishedBefore(sql, topic.id, partition));
    if (finished === null) return window.startOffset;
    const end = Math.min(finished, window.endOffset);
    if (end <= window.startOffset) return window.startOffset;
    let cut = window.startOffset;
    if (hasCount) cut = Math.max(cut, end - maxCount);
    if (hasAge)
      cut = Math.max(
        cut,
        await this.database.run((sql) =>
          logStore.firstOffsetAtOrAfter(sql, topic.id, partition, window.startOffset, end, now - maxAge),
        ),
      );
    return Math.min(cut, end);
  }

  /**
   * The first offset to keep so that at most `retentionBytes` stay, walking the sizes from the
   * start a page per statement (appends meanwhile only add at the end: the cut stays safe).
   */
  private async byteRetentionStart(
    topic: Topic,
    partition: number,
    window: { startOffset: number; endOffset: number; byteSize: number },
    retentionBytes: number,
  ): Promise<number> {
    const excess = window.byteSize - retentionBytes;
    let removed = 0;
    let from = window.startOffset;
    for (;;) {
      const page = await this.database.run((sql) => logStore.sizesFrom(sql, topic.id, partition, from, SIZE_PAGE));
      const result = byteRetentionCut(page, excess, removed);
      removed = result.removed;
      if (result.cut !== null || page.length < SIZE_PAGE) return result.cut ?? window.endOffset;
      from = page[page.length - 1].offset + 1;
      await yieldToEventLoop();
    }
  }
}

/** Retention stops at share groups' unfinished records unless the topic turned that off. */
function respectsShareGroups(topic: Topic): boolean {
  return topic.config.retentionRespectsShareGroups !== false;
}
