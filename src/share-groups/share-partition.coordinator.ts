import { Injectable } from '@nestjs/common';
import type { PartitionWindow, Topic } from '../log/domain/topic.js';
import { type AckEntry, applyAcks } from './domain/acknowledge.js';
import type { ByteBudget } from './domain/byte-budget.js';
import { recordsIn } from './domain/record-range.js';
import { resetPoint } from './domain/share-group-config.js';
import { type ShareActivityCounts, type TopicActivity, topicActivity } from './domain/share-activity.js';
import { type AckType, ErrorCode } from '@shoal/protocol';
import {
  type ArchiveReason,
  type InFlightRecord,
  RecordState,
  type TransitionContext,
  transitions,
} from './domain/record-state.js';
import type { Sql } from '../storage/database.js';
import { logStore, type PartitionHead } from '../log/storage/log.store.js';
import type { ShareGroupRow } from './storage/share-group.store.js';
import {
  type LockedWindow,
  type SharePartitionKey,
  sharePartitionStore as store,
  type ShareWindow,
  type StartHint,
} from './storage/share-partition.store.js';
import { topicStore } from '../log/storage/topic.store.js';
import { DeadLetterWriter } from './dead-letter.writer.js';

/** What happened to a group's records in one transaction: for metrics, wake-ups and the DLQ. */
export interface ShareActivity extends ShareActivityCounts {
  byTopic: Map<string, TopicActivity>;
  /** Records became available again: waiting fetches may take them. */
  released: boolean;
  /** Partitions the dead-letter writes appended to, announced after the commit. */
  deadLetterHeads: PartitionHead[];
}

export function emptyActivity(): ShareActivity {
  return { byTopic: new Map(), released: false, deadLetterHeads: [] };
}

/** The transaction a share-partition is opened in: the locked group, the time, and where events go. */
export interface ShareScope {
  readonly sql: Sql;
  readonly group: ShareGroupRow;
  readonly now: number;
  readonly activity: ShareActivity;
}

/** One share-partition opened inside a transaction: its row locked, expiries applied. */
export interface OpenSharePartition {
  sql: Sql;
  key: SharePartitionKey;
  group: ShareGroupRow;
  topic: Topic;
  window: ShareWindow;
  /** The log partition's offsets as of opening. */
  log: PartitionWindow;
  ctx: TransitionContext;
  activity: ShareActivity;
  /** This share-partition's topic's counters inside `activity`. */
  counts: TopicActivity;
}

/**
 * The state changes of one share-partition, each set-based: open it (creating its window at
 * the first fetch, following the log's retention, applying lock expiries), acknowledge,
 * release and acquire. Every change that makes a record final (accept, reject, release at
 * the delivery limit, lock expiry at the limit) moves the start past the leading final
 * records before it returns, so no caller has to remember to.
 */
@Injectable()
export class SharePartitionCoordinator {
  constructor(private readonly deadLetters: DeadLetterWriter) {}

  /**
   * Locks the share-partition's row, follows the log's retention and applies lock expiries.
   * The window is created at the first fetch when `create`; null when it has not started and
   * not `create`, or the log partition is gone. {@link ShareGroupTransaction.partition} opens
   * each share-partition once per transaction.
   */
  async open(
    scope: ShareScope,
    topic: Topic,
    partition: number,
    create: boolean,
    locked?: LockedWindow,
  ): Promise<OpenSharePartition | null> {
    const { sql, group, now, activity } = scope;
    const key = { groupId: group.id, topicId: topic.id, partition };
    // `locked`: its row already locked and read (with the log's offsets) by lockInOrder.
    let window = locked ? locked.window : await store.lockWindow(sql, key);
    const log = locked
      ? locked.log && { partition, ...locked.log }
      : await topicStore.partition(sql, topic.id, partition);
    if (!log) return null;
    if (!window) {
      if (!create) return null;
      await store.createWindow(sql, key, resetPoint(group.config.autoOffsetReset, log));
      window = (await store.lockWindow(sql, key))!;
    }
    const ctx = {
      now,
      lockDurationMs: group.config.recordLockDurationMs,
      deliveryCountLimit: group.config.deliveryCountLimit,
    };
    const open: OpenSharePartition = {
      sql,
      key,
      group,
      topic,
      window,
      log,
      ctx,
      activity,
      counts: topicActivity(activity.byTopic, topic.name),
    };
    if (log.startOffset > window.startOffset) {
      // Retention deleted records the group had not finished: the window moves past them.
      await store.deleteBelow(sql, key, log.startOffset);
      window.startOffset = log.startOffset;
      window.endOffset = Math.max(window.endOffset, log.startOffset);
      await store.setWindow(sql, key, window);
    }
    if (!locked || locked.expired) await this.expireLocks(open);
    return open;
  }

  /** An expired lock counts as a release (archived at the delivery limit). */
  private async expireLocks(open: OpenSharePartition): Promise<void> {
    const expired = await store.expired(open.sql, open.key, open.ctx.now);
    if (expired.length === 0) return;
    await this.release(open, expired, 0);
    open.counts.lockTimeouts += expired.length;
  }

  /** Releases records (after a lock expiry or a member leaving): available, or archived at the limit. */
  async release(open: OpenSharePartition, records: InFlightRecord[], delayMs: number): Promise<void> {
    const changed: InFlightRecord[] = [];
    const archived = new Map<number, ArchiveReason>();
    let span: [number, number] | null = null;
    for (const r of records) {
      if (r.deliveryCount >= open.ctx.deliveryCountLimit) continue;
      span = span === null ? [r.offset, r.offset] : [Math.min(span[0], r.offset), Math.max(span[1], r.offset)];
    }
    const ctx = await this.withAttempts(open, span);
    for (const record of records) {
      const result = transitions.release(record, ctx, delayMs);
      changed.push(result.record);
      if (result.archived) archived.set(record.offset, result.archived);
    }
    const start = await store.write(open.sql, open.key, changed, { window: open.window });
    await this.archive(open, archived, new Map(changed.map((r) => [r.offset, r])), new Map());
    if (archived.size < changed.length) open.activity.released = true;
    if (archived.size > 0) await this.advanceStart(open, start);
  }

  /**
   * The transition context with the per-record attempts (`shoal.attempts` headers) of the
   * records in `span` (first and last offset) that a release may touch; the group's context as
   * is when nothing is released or the group's limit is already 1.
   */
  private async withAttempts(open: OpenSharePartition, span: [number, number] | null): Promise<TransitionContext> {
    if (span === null || open.ctx.deliveryCountLimit <= 1) return open.ctx;
    const attempts = await logStore.attemptsBetween(open.sql, open.topic.id, open.key.partition, span[0], span[1]);
    return attempts.size === 0 ? open.ctx : { ...open.ctx, attempts };
  }

  /**
   * A redrive into this group (issue 27): the records at `offsets` that this group archived
   * become available again with delivery count 0 — those archived in the window, and those
   * below its start (final there; the caller knows from the dead-letter record that this group
   * archived them), which moves the start back to the lowest. Records gone from the log, never
   * handed out, or not archived are left alone. Answers the offsets made available.
   */
  async reopen(open: OpenSharePartition, offsets: number[]): Promise<number[]> {
    const { sql, key, window, log } = open;
    const wanted = [...new Set(offsets)]
      .filter((o) => o >= log.startOffset && o < window.endOffset)
      .sort((a, b) => a - b);
    const below = wanted.filter((o) => o < window.startOffset);
    const inside = wanted.filter((o) => o >= window.startOffset);
    const current = inside.length === 0 ? new Map<number, InFlightRecord>() : await store.records(sql, key, inside);
    const archived = inside.filter((o) => current.get(o)?.state === RecordState.Archived);
    const available = (offset: number): InFlightRecord => ({
      offset,
      state: RecordState.Available,
      deliveryCount: 0,
      memberId: null,
      lockExpiresAt: null,
      availableAt: null,
    });
    if (archived.length > 0) await store.write(sql, key, archived.map(available));
    if (below.length > 0) {
      await store.reopenBelowStart(sql, key, below, window.startOffset);
      window.startOffset = below[0];
      await store.setWindow(sql, key, window);
    }
    const reopened = [...below, ...archived];
    if (reopened.length > 0) open.activity.released = true;
    return reopened;
  }

  /**
   * Applies one member's acks, in order; answers each entry's error (null when applied). With
   * `whole` (the Kafka door, as Kafka's SharePartition validates a partition's acknowledgement
   * batches before it applies any), one entry that cannot apply fails every entry and nothing
   * is written.
   */
  async acknowledge(
    open: OpenSharePartition,
    memberId: string,
    entries: AckEntry[],
    whole = false,
  ): Promise<(string | null)[]> {
    const { sql, key, window } = open;
    // The acks' span inside the window, and the ranges over it and the one after, read once.
    const from = entries.reduce((min, e) => Math.min(min, e.offset), window.endOffset);
    const to = entries.reduce((max, e) => Math.max(max, e.lastOffset), window.startOffset - 1);
    const [lo, hi] = [Math.max(from, window.startOffset), Math.min(to, window.endOffset - 1)];
    const ranges = lo <= hi ? await store.rangesOver(sql, key, lo, hi + 1) : [];
    let released: [number, number] | null = null;
    for (const e of entries) {
      if (e.type !== 'release') continue;
      released =
        released === null
          ? [e.offset, e.lastOffset]
          : [Math.min(released[0], e.offset), Math.max(released[1], e.lastOffset)];
    }
    const ctx = await this.withAttempts(open, released);
    const outcome = applyAcks(recordsIn(ranges, lo, hi), memberId, entries, ctx);
    if (whole && outcome.errors.some((e) => e !== null)) return entries.map(() => ErrorCode.InvalidRecordState);
    const start = await store.write(sql, key, outcome.changed.values(), { existing: ranges, window });
    await this.archive(open, outcome.archived, outcome.changed, outcome.archiveErrors);
    for (const type of Object.keys(outcome.counts) as AckType[]) open.counts.acks[type] += outcome.counts[type];
    if (outcome.counts.release > outcome.archived.size) open.activity.released = true;
    if (outcome.counts.accept > 0 || outcome.archived.size > 0) await this.advanceStart(open, start);
    return outcome.errors;
  }

  /**
   * Acquires up to `max` records for the member, available ones first, then new ones from the
   * log, as many as fit in `budget` by their stored sizes: nothing is acquired that the
   * answer would leave out.
   */
  async acquire(
    open: OpenSharePartition,
    memberId: string,
    max: number,
    budget: ByteBudget,
  ): Promise<InFlightRecord[]> {
    const { sql, key, window, ctx } = open;
    const lockExpiresAt = ctx.now + ctx.lockDurationMs;
    const { available, fresh } = await this.weigh(open, await store.available(sql, key, ctx.now, max), max, budget);
    const acquired = available.map((r) => transitions.acquire(r, memberId, ctx));
    await store.write(sql, key, acquired);
    const limit = window.endOffset + fresh;
    if (limit > window.endOffset) {
      await store.insertAcquired(sql, key, window.endOffset, limit, memberId, lockExpiresAt);
      for (let offset = window.endOffset; offset < limit; offset++) {
        acquired.push({
          offset,
          state: RecordState.Acquired,
          deliveryCount: 1,
          memberId,
          lockExpiresAt,
          availableAt: null,
        });
      }
      window.endOffset = limit;
      await store.setWindow(sql, key, window);
    }
    open.counts.acquired += acquired.length;
    open.counts.redelivered += available.length;
    return acquired;
  }

  /**
   * Of the available `candidates` and then the new records after the window, the ones that
   * fit in `budget` by their stored sizes (read in one statement), taken from it.
   */
  private async weigh(
    open: OpenSharePartition,
    candidates: InFlightRecord[],
    max: number,
    budget: ByteBudget,
  ): Promise<{ available: InFlightRecord[]; fresh: number }> {
    const { sql, key, window, group, log } = open;
    const newTo = Math.min(
      log.endOffset,
      window.startOffset + group.config.maxInFlightRecordsPerPartition,
      window.endOffset + max - candidates.length,
    );
    const newOffsets = Array.from({ length: Math.max(0, newTo - window.endOffset) }, (_, i) => window.endOffset + i);
    const offsets = candidates.map((r) => r.offset);
    const sizes = await logStore.sizesOf(sql, key.topicId, key.partition, offsets, {
      from: window.endOffset,
      to: newTo,
    });
    const fit = budget.take([...offsets, ...newOffsets].map((o) => sizes.get(o) ?? 0));
    return { available: candidates.slice(0, fit), fresh: Math.max(0, fit - candidates.length) };
  }

  /**
   * Moves the start past every leading final record. `known`: what a write just deleted from
   * the start, and whether that is the whole of it (then no statement but the window's).
   */
  private async advanceStart(open: OpenSharePartition, known: StartHint | null = null): Promise<void> {
    const { sql, key, window } = open;
    const from = Math.max(window.startOffset, known?.start ?? window.startOffset);
    const first = known?.settled ? from : ((await store.firstNotFinal(sql, key, from)) ?? window.endOffset);
    if (first <= window.startOffset) return;
    // The new start is where a range begins (or the end): no range holds offsets on both sides.
    if (!known?.settled) await store.deleteBelow(sql, key, first, false);
    window.startOffset = first;
    await store.setWindow(sql, key, window);
  }

  /** Counts archived records and copies them to the dead-letter topic; `errors`: why an ack archived them. */
  private async archive(
    open: OpenSharePartition,
    archived: Map<number, ArchiveReason>,
    records: Map<number, InFlightRecord>,
    errors: Map<number, string>,
  ): Promise<void> {
    if (archived.size === 0) return;
    for (const reason of archived.values()) open.counts.archived[reason] += 1;
    const deadLetterTopic = open.group.config.deadLetterTopic;
    if (deadLetterTopic === null) return;
    const { heads, written } = await this.deadLetters.write(open.sql, {
      deadLetterTopic,
      group: open.group.name,
      topic: open.topic,
      partition: open.key.partition,
      records: [...archived].map(([offset, reason]) => ({
        offset,
        reason,
        deliveryCount: records.get(offset)?.deliveryCount ?? 0,
        error: errors.get(offset),
      })),
    });
    open.activity.deadLetterHeads.push(...heads);
    open.counts.deadLettered += written;
  }
}
