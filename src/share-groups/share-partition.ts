import { type AckType, ErrorCode } from '@shoal/protocol';
import type { PartitionWindow, Topic } from '../log/domain/topic.js';
import type { PartitionHead } from '../log/storage/log.store.js';
import { type AckEntry, applyAcks } from './domain/acknowledge.js';
import { ackNotes, archivedNotes } from './domain/job-notes.js';
import type { JobNote } from './storage/share-job.store.js';
import type { AcquiredStoredRecord } from './domain/acquired-record.js';
import type { ByteBudget } from './domain/byte-budget.js';
import { recordsIn, type StartHint } from './domain/record-range.js';
import {
  availableAgain,
  type ArchiveReason,
  type InFlightRecord,
  RecordState,
  type TransitionContext,
  transitions,
} from './domain/record-state.js';
import { type ShareActivityCounts, type TopicActivity, topicActivity } from './domain/share-activity.js';
import { resetPoint } from './domain/share-group-config.js';
import type { SharePartitionStore, ShareStores } from './share-stores.js';
import type { ShareGroupRow } from './storage/share-group.store.js';
import type { LockedWindow, SharePartitionKey, ShareWindow } from './storage/share-partition.store.js';
import type { NextRecords } from './storage/share-window-reads.js';
import type { StoredRecord } from '../log/domain/record.js';

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

/** The transaction a share-partition is opened in: the locked group, the time, its stores, and where events go. */
export interface ShareScope {
  readonly group: ShareGroupRow;
  readonly now: number;
  readonly activity: ShareActivity;
  readonly stores: ShareStores;
}

/**
 * One share-partition inside one transaction (its window row locked, the log's retention
 * followed, lock expiries applied) and its state changes, each set-based: acquire,
 * acknowledge, release, reopen. Every change that makes a record final (accept, reject,
 * release at the delivery limit, lock expiry at the limit) moves the start past the leading
 * final records before it returns. The window changes in memory and is written once, by
 * {@link flush}, which the transaction that opened it calls before it commits.
 */
export class SharePartition {
  private windowChanged = false;
  /** False while nothing in it is known to be available (read when it was locked, and unchanged since). */
  private mayHaveAvailable = true;
  /** The next records of the log, read with its lock (see NextRecords): what {@link weigh} reads, while still valid. */
  private next: NextRecords | undefined;
  private readonly store: SharePartitionStore;
  private readonly counts: TopicActivity;

  private constructor(
    private readonly scope: ShareScope,
    readonly key: SharePartitionKey,
    readonly topic: Topic,
    private readonly window: ShareWindow,
    /** The log partition's offsets as of opening. */
    private readonly log: PartitionWindow,
    private readonly ctx: TransitionContext,
  ) {
    this.store = scope.stores.partitions;
    this.counts = topicActivity(scope.activity.byTopic, topic.name);
  }

  /**
   * Opens the share-partition: locks its row, follows the log's retention and applies lock
   * expiries. The window is created at the first fetch when `create`; null when it has not
   * started and not `create`, or the log partition is gone.
   */
  static async open(
    scope: ShareScope,
    topic: Topic,
    partition: number,
    create: boolean,
    /** Its row already locked and read, with the log's offsets, by the transaction's lockInOrder. */
    locked?: LockedWindow,
  ): Promise<SharePartition | null> {
    const { group, now, stores } = scope;
    const key = { groupId: group.id, topicId: topic.id, partition };
    let window = locked ? locked.window : await stores.partitions.lockWindow(key);
    const log = locked ? locked.log && { partition, ...locked.log } : await stores.log.partition(topic.id, partition);
    if (!log) return null;
    if (!window) {
      if (!create) return null;
      await stores.partitions.createWindow(key, resetPoint(group.config.autoOffsetReset, log));
      window = (await stores.partitions.lockWindow(key))!;
    }
    const ctx = {
      now,
      lockDurationMs: group.config.recordLockDurationMs,
      deliveryCountLimit: group.config.deliveryCountLimit,
    };
    const opened = new SharePartition(scope, key, topic, window, log, ctx);
    if (log.startOffset > window.startOffset) {
      // Retention deleted records the group had not finished: the window moves past them.
      await stores.partitions.deleteBelow(key, log.startOffset);
      opened.moveWindow(log.startOffset, Math.max(window.endOffset, log.startOffset));
    }
    if (locked) opened.mayHaveAvailable = locked.available;
    opened.next = locked?.next;
    if (!locked || locked.expired) await opened.expireLocks();
    return opened;
  }

  get startOffset(): number {
    return this.window.startOffset;
  }

  get endOffset(): number {
    return this.window.endOffset;
  }

  /** Writes the window if it changed since it was read or last written. */
  async flush(): Promise<void> {
    if (!this.windowChanged) return;
    await this.store.setWindow(this.key, this.window);
    this.windowChanged = false;
  }

  /**
   * Acquires up to `max` records for the member, available ones first, then new ones from the
   * log, as many as fit in `budget` by their stored sizes: nothing is acquired that the
   * answer would leave out. Answers them as stored, lowest offset first, from the one read of
   * the log that weighed them.
   */
  async acquire(memberId: string, max: number, budget: ByteBudget): Promise<AcquiredStoredRecord[]> {
    const { key, window, ctx } = this;
    const lockExpiresAt = ctx.now + ctx.lockDurationMs;
    const candidates = this.mayHaveAvailable ? await this.store.available(key, ctx.now, max) : [];
    const { available, fresh, stored } = await this.weigh(candidates, max, budget);
    const acquired = available.map((r) => transitions.acquire(r, memberId, ctx));
    await this.store.write(key, acquired);
    const limit = window.endOffset + fresh;
    if (limit > window.endOffset) {
      await this.store.insertAcquired(key, window.endOffset, limit, memberId, lockExpiresAt);
      for (let offset = window.endOffset; offset < limit; offset++)
        acquired.push({
          offset,
          state: RecordState.Acquired,
          deliveryCount: 1,
          memberId,
          lockExpiresAt,
          availableAt: null,
        });
      this.moveWindow(window.startOffset, limit);
    }
    this.counts.acquired += acquired.length;
    this.counts.redelivered += available.length;
    const records: AcquiredStoredRecord[] = [];
    for (const r of acquired.sort((a, b) => a.offset - b.offset)) {
      const data = stored.get(r.offset);
      if (data !== undefined)
        records.push({
          topic: this.topic.name,
          partition: key.partition,
          ...data,
          deliveryCount: r.deliveryCount,
          lockExpiresAt: r.lockExpiresAt!,
        });
    }
    return records;
  }

  /**
   * Applies one member's acks, in order; answers each entry's error (null when applied). With
   * `whole` (the Kafka door, as Kafka's SharePartition validates a partition's acknowledgement
   * batches before it applies any), one entry that cannot apply fails every entry and nothing
   * is written.
   */
  async acknowledge(memberId: string, entries: AckEntry[], whole = false): Promise<(string | null)[]> {
    const { key, window } = this;
    this.mayHaveAvailable = true; // a release makes records available
    // The acks' span inside the window, and the ranges over it and the one after, read once.
    const from = entries.reduce((min, e) => Math.min(min, e.offset), window.endOffset);
    const to = entries.reduce((max, e) => Math.max(max, e.lastOffset), window.startOffset - 1);
    const [lo, hi] = [Math.max(from, window.startOffset), Math.min(to, window.endOffset - 1)];
    const ranges = lo <= hi ? await this.store.rangesOver(key, lo, hi + 1) : [];
    let released: [number, number] | null = null;
    for (const e of entries) {
      if (e.type !== 'release') continue;
      released =
        released === null
          ? [e.offset, e.lastOffset]
          : [Math.min(released[0], e.offset), Math.max(released[1], e.lastOffset)];
    }
    const ctx = await this.withAttempts(released);
    const outcome = applyAcks(recordsIn(ranges, lo, hi), memberId, entries, ctx);
    if (whole && outcome.errors.some((e) => e !== null)) return entries.map(() => ErrorCode.InvalidRecordState);
    const start = await this.store.write(key, outcome.changed.values(), { existing: ranges, window });
    await this.note(ackNotes(entries, outcome.errors, outcome.archived, this.ctx.now, this.resultRetentionMs));
    await this.archive(outcome.archived, outcome.changed, outcome.archiveErrors);
    for (const type of Object.keys(outcome.counts) as AckType[]) this.counts.acks[type] += outcome.counts[type];
    if (outcome.counts.release > outcome.archived.size) this.scope.activity.released = true;
    if (outcome.counts.accept > 0 || outcome.archived.size > 0) await this.advanceStart(start);
    return outcome.errors;
  }

  /** Releases records (after a lock expiry or a member leaving): available, or archived at the limit. */
  async release(records: InFlightRecord[], delayMs: number): Promise<void> {
    this.mayHaveAvailable = true;
    const changed: InFlightRecord[] = [];
    const archived = new Map<number, ArchiveReason>();
    let span: [number, number] | null = null;
    for (const r of records) {
      if (r.deliveryCount >= this.ctx.deliveryCountLimit) continue;
      span = span === null ? [r.offset, r.offset] : [Math.min(span[0], r.offset), Math.max(span[1], r.offset)];
    }
    const ctx = await this.withAttempts(span);
    for (const record of records) {
      const result = transitions.release(record, ctx, delayMs);
      changed.push(result.record);
      if (result.archived) archived.set(record.offset, result.archived);
    }
    const start = await this.store.write(this.key, changed, { window: this.window });
    await this.note(archivedNotes(archived.keys(), this.ctx.now, this.resultRetentionMs));
    await this.archive(archived, new Map(changed.map((r) => [r.offset, r])), new Map());
    if (archived.size < changed.length) this.scope.activity.released = true;
    if (archived.size > 0) await this.advanceStart(start);
  }

  /** Releases what `memberId` still holds at `offsets` (a member leaving; expired locks were released on opening). */
  async releaseHeld(memberId: string, offsets: number[]): Promise<void> {
    const still = await this.store.records(this.key, offsets);
    await this.release(
      [...still.values()].filter((r) => r.memberId === memberId && r.state === RecordState.Acquired),
      0,
    );
  }

  /**
   * A redrive into this group (issue 27): the records at `offsets` that this group archived
   * become available again with delivery count 0 — those archived in the window, and those
   * below its start (final there; the caller knows from the dead-letter record that this group
   * archived them), which moves the start back to the lowest. Records gone from the log, never
   * handed out, or not archived are left alone. Answers the offsets made available.
   */
  async reopen(offsets: number[]): Promise<number[]> {
    const { key, window, log } = this;
    this.mayHaveAvailable = true;
    const wanted = [...new Set(offsets)]
      .filter((o) => o >= log.startOffset && o < window.endOffset)
      .sort((a, b) => a - b);
    const below = wanted.filter((o) => o < window.startOffset);
    const inside = wanted.filter((o) => o >= window.startOffset);
    const current = inside.length === 0 ? new Map<number, InFlightRecord>() : await this.store.records(key, inside);
    const archived = inside.filter((o) => current.get(o)?.state === RecordState.Archived);
    if (archived.length > 0) await this.store.write(key, archived.map(availableAgain));
    if (below.length > 0) {
      await this.store.reopenBelowStart(key, below, window.startOffset);
      this.moveWindow(below[0], window.endOffset);
    }
    const reopened = [...below, ...archived];
    if (reopened.length > 0) this.scope.activity.released = true;
    return reopened;
  }

  /**
   * Stores a job's progress (JSON text) with a record `memberId` holds, renewing its lock as a
   * renew ack would; false (nothing written) when the member does not hold it.
   */
  async progress(memberId: string, offset: number, progress: string): Promise<boolean> {
    const [error] = await this.acknowledge(memberId, [{ offset, lastOffset: offset, type: 'renew' }]);
    if (error !== null) return false;
    await this.note([{ offset, progress }]);
    return true;
  }

  /** How long the group keeps finished jobs' results and outcomes (0: not kept). */
  private get resultRetentionMs(): number {
    return this.scope.group.config.resultRetentionMs ?? 0;
  }

  private async note(notes: JobNote[]): Promise<void> {
    if (notes.length > 0) await this.scope.stores.jobs.note(this.key, notes);
  }

  /** An expired lock counts as a release (archived at the delivery limit). */
  private async expireLocks(): Promise<void> {
    const expired = await this.store.expired(this.key, this.ctx.now);
    if (expired.length === 0) return;
    await this.release(expired, 0);
    this.counts.lockTimeouts += expired.length;
  }

  private moveWindow(startOffset: number, endOffset: number): void {
    this.window.startOffset = startOffset;
    this.window.endOffset = endOffset;
    this.windowChanged = true;
  }

  /**
   * The transition context with the per-record attempts (`shoal.attempts` headers) of the
   * records in `span` (first and last offset) that a release may touch; the group's context as
   * is when nothing is released or the group's limit is already 1.
   */
  private async withAttempts(span: [number, number] | null): Promise<TransitionContext> {
    if (span === null || this.ctx.deliveryCountLimit <= 1) return this.ctx;
    const attempts = await this.scope.stores.log.attemptsBetween(this.topic.id, this.key.partition, span[0], span[1]);
    return attempts.size === 0 ? this.ctx : { ...this.ctx, attempts };
  }

  /**
   * Of the available `candidates` and then the new records after the window, the ones that
   * fit in `budget` by their stored sizes, taken from it; the records are read in one
   * statement, and what is acquired is answered from that read.
   */
  private async weigh(candidates: InFlightRecord[], max: number, budget: ByteBudget) {
    const { key, window, log } = this;
    const ahead = this.readAhead(candidates.length, max);
    // Records read after the lock may go past the log's end as the lock's statement saw it.
    let logEnd = log.endOffset;
    if (ahead) for (const offset of ahead.keys()) logEnd = Math.max(logEnd, offset + 1);
    const newTo = Math.min(
      logEnd,
      window.startOffset + this.scope.group.config.maxInFlightRecordsPerPartition,
      window.endOffset + max - candidates.length,
    );
    const newOffsets = Array.from({ length: Math.max(0, newTo - window.endOffset) }, (_, i) => window.endOffset + i);
    const offsets = candidates.map((r) => r.offset);
    // The read ahead is of record rows only: records it lacks (in a pack, on PostgreSQL) are read the usual way.
    const whole = ahead !== undefined && newOffsets.every((o) => ahead.has(o));
    const stored =
      (whole ? ahead : undefined) ??
      (await this.scope.stores.log.recordsOf(key.topicId, key.partition, offsets, {
        from: window.endOffset,
        to: newTo,
      }));
    const fit = budget.take([...offsets, ...newOffsets].map((o) => stored.get(o)?.size ?? 0));
    return { available: candidates.slice(0, fit), fresh: Math.max(0, fit - candidates.length), stored };
  }

  /**
   * The records read with the lock, when they hold every one a weigh of `max` new records would
   * read: nothing available to weigh first, the window as it was read for, no more wanted.
   * Used once (the window moves as records are acquired).
   */
  private readAhead(candidates: number, max: number): Map<number, StoredRecord> | undefined {
    const next = this.next;
    this.next = undefined;
    if (!next || candidates > 0 || max > next.max) return undefined;
    const { startOffset, endOffset } = this.window;
    return next.window.startOffset === startOffset && next.window.endOffset === endOffset ? next.records : undefined;
  }

  /**
   * Moves the start past every leading final record. `known`: what a write just deleted from
   * the start, and whether that is the whole of it (then no statement at all).
   */
  private async advanceStart(known: StartHint | null = null): Promise<void> {
    const { key, window } = this;
    const from = Math.max(window.startOffset, known?.start ?? window.startOffset);
    const first = known?.settled ? from : ((await this.store.firstNotFinal(key, from)) ?? window.endOffset);
    if (first <= window.startOffset) return;
    // The new start is where a range begins (or the end): no range holds offsets on both sides.
    if (!known?.settled) await this.store.deleteBelow(key, first, false);
    this.moveWindow(first, window.endOffset);
  }

  /** Counts archived records and copies them to the dead-letter topic; `errors`: why an ack archived them. */
  private async archive(
    archived: Map<number, ArchiveReason>,
    records: Map<number, InFlightRecord>,
    errors: Map<number, string>,
  ): Promise<void> {
    if (archived.size === 0) return;
    for (const reason of archived.values()) this.counts.archived[reason] += 1;
    const deadLetterTopic = this.scope.group.config.deadLetterTopic;
    if (deadLetterTopic === null) return;
    const { heads, written } = await this.scope.stores.deadLetters.write({
      deadLetterTopic,
      group: this.scope.group.name,
      topic: this.topic,
      partition: this.key.partition,
      records: [...archived].map(([offset, reason]) => ({
        offset,
        reason,
        deliveryCount: records.get(offset)?.deliveryCount ?? 0,
        error: errors.get(offset),
      })),
    });
    this.scope.activity.deadLetterHeads.push(...heads);
    this.counts.deadLettered += written;
  }
}
