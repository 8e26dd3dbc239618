import { Inject, Injectable } from '@nestjs/common';
import { type Clock, CLOCK } from '../platform/clock.js';
import type { Sql } from '../storage/database.js';
import type { Topic } from './domain/topic.js';
import { topicStore } from './storage/topic.store.js';

/**
 * The last use (a produce, a read by offset) of each topic with `deleteAfterIdleMs` on this
 * broker, kept in memory so a hot path never writes for it, and written to the topic's row by
 * {@link flush} before each idle sweep. Topics without the setting are not tracked.
 */
@Injectable()
export class TopicUse {
  private readonly pending = new Map<number, number>();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** `topic` was used now. */
  touch(topic: Topic): void {
    if (topic.config.deleteAfterIdleMs === undefined || topic.config.deleteAfterIdleMs === null) return;
    this.pending.set(topic.id, this.clock.now());
  }

  /** Writes the uses noted since the last flush. */
  async flush(sql: Sql): Promise<void> {
    if (this.pending.size === 0) return;
    const uses = [...this.pending];
    this.pending.clear();
    await topicStore.noteUses(sql, uses);
  }
}
