import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '../platform/periodic-task.js';
import { yieldToEventLoop } from '../platform/yield-to-event-loop.js';
import { Database } from '../storage/database.js';
import { topicPurgeStore } from './storage/topic-purge.store.js';

/** Records removed per transaction: a few milliseconds of the write lock at a time. */
export const PURGE_CHUNK = 5_000;
const PURGE_INTERVAL_MS = 1_000;

/**
 * Removes a deleted topic's records in the background, a chunk per transaction, so other
 * writes go between the chunks; the topic itself is gone for every route from the delete's
 * commit. Idempotent and safe on several brokers at once: a chunk removes what is there.
 * `sweep()` runs until nothing is left (tests call it); a timer and every delete start it.
 */
@Injectable()
export class TopicPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TopicPurger.name);
  private readonly task = new PeriodicTask('topic purge', PURGE_INTERVAL_MS, () => this.sweep(), this.logger);
  private running: Promise<number> | undefined;
  /** The sweep queued to follow the running one. */
  private next: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly database: Database) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
    await this.running?.catch(() => undefined);
    await this.next?.catch(() => undefined);
  }

  /** Starts a sweep now, or right after the one running (after a delete). */
  kick(): void {
    if (this.stopped) return;
    this.sweep().catch((error: unknown) => this.logger.error(`topic purge failed: ${String(error)}`));
  }

  /**
   * Removes every deleted topic's records, chunk by chunk; answers how many. A sweep already
   * running may have listed the deleted topics before the caller's delete committed: then one
   * more runs right after it (one, however many callers wait for it), and the caller gets that one.
   */
  sweep(): Promise<number> {
    if (!this.running) {
      this.running = this.purgeAll().finally(() => (this.running = undefined));
      return this.running;
    }
    this.next ??= this.running
      .catch(() => 0)
      .then(() => {
        this.next = undefined;
        return this.stopped ? 0 : this.sweep();
      });
    return this.next;
  }

  private async purgeAll(): Promise<number> {
    let removed = 0;
    for (let n = await this.step(); n > 0 && !this.stopped; n = await this.step()) {
      removed += n;
      await yieldToEventLoop(); // requests go between the chunks
    }
    return removed;
  }

  /**
   * One chunk: up to {@link PURGE_CHUNK} records of the first deleted topic, in a transaction of
   * its own; a topic with none left is crossed off. Answers how many records went (0: done).
   */
  async step(): Promise<number> {
    for (const topicId of await this.database.run((sql) => topicPurgeStore.pending(sql))) {
      const n = await this.database.transaction((sql) => topicPurgeStore.removeRecords(sql, topicId, PURGE_CHUNK));
      if (n > 0) return n;
      await this.database.run((sql) => topicPurgeStore.done(sql, topicId));
      this.logger.log(`removed the records of deleted topic id ${topicId}`);
    }
    return 0;
  }
}
