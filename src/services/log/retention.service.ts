import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';
import { type Clock, CLOCK } from '../../domain/clock.js';
import { byteRetentionCut } from '../../domain/log/retention.js';
import type { Topic } from '../../domain/log/topic.js';
import { Database } from '../../storage/database.js';
import { logStore } from '../../storage/log.store.js';
import { PeriodicTask } from '../../common/periodic-task.js';
import { topicStore } from '../../storage/topic.store.js';

const SIZE_PAGE = 10_000;
/** Records deleted per transaction, so a large trim never holds the writer for long. */
const DELETE_CHUNK = 50_000;

/**
 * Enforces each topic's retention: records older than `retentionMs`, and the oldest records
 * beyond `retentionBytes` per partition, are deleted from the front of the log and the start
 * offset moves past them. `sweep(now)` is idempotent; a timer calls it every few seconds and
 * tests call it with a chosen time.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly database: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SHOAL_CONFIG) config: ShoalConfig,
  ) {
    this.task = new PeriodicTask(
      'retention sweep',
      config.retentionIntervalMs,
      () => this.sweep(this.clock.now()),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Applies retention as of `now`; answers how many records it deleted. */
  async sweep(now: number): Promise<number> {
    let deleted = 0;
    const topics = await this.database.run((sql) => topicStore.listWithRetention(sql));
    for (const topic of topics) {
      for (let partition = 0; partition < topic.partitionCount; partition++)
        deleted += await this.trimPartition(topic, partition, now);
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
        const next = Math.min(target, window.startOffset + DELETE_CHUNK, window.endOffset);
        await logStore.truncateBefore(sql, topic.id, partition, window.startOffset, next);
        return next - window.startOffset;
      });
      if (step === 0) break;
      deleted += step;
    }
    if (deleted > 0) this.logger.log(`retention removed ${deleted} records from ${topic.name}/${partition}`);
    return deleted;
  }

  /** The start offset retention asks for, or null when nothing needs to go. */
  private retentionStart(topic: Topic, partition: number, now: number): Promise<number | null> {
    return this.database.run(async (sql) => {
      const window = await logStore.lockWindow(sql, topic.id, partition);
      if (!window || window.startOffset === window.endOffset) return null;
      let target = window.startOffset;
      const { retentionMs, retentionBytes } = topic.config;
      if (retentionMs !== null) {
        target = await logStore.firstOffsetAtOrAfter(
          sql,
          topic.id,
          partition,
          window.startOffset,
          window.endOffset,
          now - retentionMs,
        );
      }
      if (retentionBytes !== null && window.byteSize > retentionBytes) {
        const excess = window.byteSize - retentionBytes;
        let removed = 0;
        let from = window.startOffset;
        for (;;) {
          const page = await logStore.sizesFrom(sql, topic.id, partition, from, SIZE_PAGE);
          const result = byteRetentionCut(page, excess, removed);
          removed = result.removed;
          if (result.cut !== null || page.length < SIZE_PAGE) {
            target = Math.max(target, result.cut ?? window.endOffset);
            break;
          }
          from = page[page.length - 1].offset + 1;
        }
      }
      return target > window.startOffset ? target : null;
    });
  }
}
