import type { Acknowledgement, AckResult } from '@shoal/protocol';
import { appendKey, groupKey } from '../platform/change-signal.js';
import type { AcquiredStoredRecord } from './domain/acquired-record.js';
import { LastLocks } from './last-locks.js';
import type { ShareGroupCoordinator } from './share-group.coordinator.js';
import type { KeyCheck } from '../security/deferred-auth.js';

/** One look for records: the answer, what its wait listens to, and when a timed event is due. */
export interface Attempt {
  response: { records: AcquiredStoredRecord[]; ackResults: AckResult[] };
  waitKeys: string[];
  /** When, from now, a delayed release becomes available or a lock runs out; null if never. */
  nextEventInMs: number | null;
}

/**
 * PostgreSQL's shorter ways for a share fetch and for accepts, in the plain cases (issue 29):
 * a fetch's windows locked, and its next records read, with the group's opening (one round
 * trip where it took three); a member with one partition fetching in one statement; accepts
 * that make the window's leading records final in one statement. Each acts only when what it
 * guessed (the member's last assignment, see {@link LastLocks}) still holds, and otherwise
 * leaves the work to the usual way. SQLite never takes them.
 */
export class ShareShortcuts {
  /** Each member's last assignment: noted by the usual fetch, read by the shorter ways (and its `ahead`). */
  readonly lastLocks: LastLocks;

  constructor(
    private readonly coordinator: ShareGroupCoordinator,
    rotation: ReadonlyMap<string, number>,
    private readonly maxResponseBytes: number,
  ) {
    this.lastLocks = new LastLocks(rotation);
  }

  /** A fetch without acks of a member with one partition, in one statement; null: the usual way. */
  async fetch(
    group: string,
    memberId: string,
    options: { acks: unknown[]; partitions?: unknown; maxRecords: number; maxWaitMs: number; keyCheck?: KeyCheck },
  ): Promise<Attempt | null> {
    const single = this.coordinator.readsBeforeFlush ? this.lastLocks.single(group, memberId, options) : undefined;
    if (!single || options.maxRecords <= 0) return null;
    const keyCheck = options.keyCheck;
    const answer = await this.coordinator.fetchNext(
      {
        group,
        memberId,
        seen: single.seen,
        topicId: single.topicId,
        partition: single.partition,
        max: options.maxRecords,
        maxBytes: this.maxResponseBytes,
        extraAliveMs: options.maxWaitMs,
        checkKeys: keyCheck?.pending === true,
      },
      single.topic,
    );
    if (!answer.done) {
      this.lastLocks.sawBefore(group, memberId, answer.seen);
      return null;
    }
    if (keyCheck) keyCheck.pending = false;
    const records = answer.records.map((r) => ({
      ...r,
      topic: single.topic,
      partition: single.partition,
      deliveryCount: 1,
    }));
    const waitKeys = [groupKey('share', single.groupId), appendKey(single.topicId, single.partition)];
    const nextEventInMs = answer.nextEventAt === null ? null : answer.nextEventAt - answer.now;
    return { response: { records, ackResults: [] }, waitKeys, nextEventInMs };
  }

  /**
   * Accepts of one partition the member was last assigned, in one statement when they make its
   * window's leading records final (see ShareGroupCoordinator.acceptLeading), answered once
   * flushed; null: not that case, nothing done. The caller checks they may be flushed apart.
   */
  async accept(group: string, memberId: string, acks: Acknowledgement[]): Promise<AckResult[] | null> {
    if (acks.length === 0 || !this.coordinator.readsBeforeFlush) return null;
    const { topic, partition } = acks[0];
    if (acks.some((a) => a.type !== 'accept' || a.topic !== topic || a.partition !== partition)) return null;
    const topicId = this.lastLocks.topicId(group, memberId, topic, partition);
    if (topicId === undefined) return null;
    // The offsets as ascending spans apart, neighbours joined (a range may cover several entries).
    const spans: number[][] = [];
    for (const [first, last] of acks.map((a) => [a.offset, a.lastOffset ?? a.offset]).sort((a, b) => a[0] - b[0])) {
      const before = spans[spans.length - 1];
      if (last < first || (before && first <= before[1])) return null;
      if (before && first === before[1] + 1) before[1] = last;
      else spans.push([first, last]);
    }
    const ask = { group, memberId, topicId, partition, firsts: spans.map((s) => s[0]), lasts: spans.map((s) => s[1]) };
    if (!(await this.coordinator.acceptLeading(ask, topic))) return null;
    return acks.map((ack) => ({
      topic: ack.topic,
      partition: ack.partition,
      offset: ack.offset,
      ...(ack.lastOffset === undefined ? {} : { lastOffset: ack.lastOffset }),
      error: null,
    }));
  }
}
