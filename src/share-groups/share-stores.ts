import type { ShareGroupConfigView } from '@shoal/protocol';
import type { StoredRecord } from '../log/domain/record.js';
import type { PartitionWindow, Topic } from '../log/domain/topic.js';
import type { PartitionHead } from '../log/storage/log.store.js';
import type { RecordRange, StartHint } from './domain/record-range.js';
import type { InFlightRecord } from './domain/record-state.js';
import type { DeadLetterBatch } from './dead-letter.writer.js';
import type { OpenedGroup, ShareGroupRow, ShareMember } from './storage/share-group.store.js';
import type { JobNote } from './storage/share-job.store.js';
import type { LockedWindow, SharePartitionKey, ShareWindow } from './storage/share-partition.store.js';
import type { WindowsAhead } from './storage/share-window-reads.js';

// What a share group's transaction reads and writes, each store bound to that transaction:
// SQL in ./storage/sql-share-stores.ts, in memory for unit tests (test/support).

/** A share group's share-partitions: their windows and in-flight record ranges. */
export interface SharePartitionStore {
  /** The window, locked (PostgreSQL) so one share-partition changes one transaction at a time. */
  lockWindow(key: SharePartitionKey): Promise<ShareWindow | null>;
  /**
   * Reads several windows in one statement, in lock order (locked on PostgreSQL), each with its
   * log partition's offsets, whether a lock in it ran out and whether a record in it is available
   * by `now`, and the group's flow row (keyed `topicId:partition`; share-partitions not started
   * are absent). An empty map leaves each to be locked and read on opening.
   */
  lockWindows(
    groupId: number,
    keys: { topicId: number; partition: number }[],
    now: number,
  ): Promise<Map<string, LockedWindow>>;
  createWindow(key: SharePartitionKey, start: number): Promise<void>;
  setWindow(key: SharePartitionKey, window: ShareWindow): Promise<void>;
  /** Every share-partition of a group, with its window, in lock order. */
  windows(groupId: number): Promise<(SharePartitionKey & ShareWindow)[]>;
  /** The ranges holding any offset in [from, to], in offset order. */
  rangesOver(key: SharePartitionKey, from: number, to: number): Promise<RecordRange[]>;
  /** The in-flight records at `offsets` that have one. */
  records(key: SharePartitionKey, offsets: number[]): Promise<Map<number, InFlightRecord>>;
  /** Available records not waiting out a delay, lowest offset first, at most `limit`. */
  available(key: SharePartitionKey, now: number, limit: number): Promise<InFlightRecord[]>;
  /** Acquired records whose lock ran out at or before `now`. */
  expired(key: SharePartitionKey, now: number): Promise<InFlightRecord[]>;
  /** Records a member holds, in every share-partition of the group. */
  heldBy(groupId: number, memberId: string): Promise<(InFlightRecord & { topicId: number; partition: number })[]>;
  /** A group's share-partitions holding a lock that ran out at or before `now`, in lock order. */
  partitionsWithExpiredLocks(groupId: number, now: number): Promise<{ topicId: number; partition: number }[]>;
  /** The next time after `now` a delayed release becomes available or a lock runs out, in the group. */
  nextEventAt(groupId: number, now: number): Promise<number | null>;
  /** `offsets` below `start` available again (count 0), the rest up to `start` final. */
  reopenBelowStart(key: SharePartitionKey, offsets: number[], start: number): Promise<void>;
  /** Offsets [from, to) just taken from the log, acquired with count 1. */
  insertAcquired(
    key: SharePartitionKey,
    from: number,
    to: number,
    memberId: string,
    lockExpiresAt: number,
  ): Promise<void>;
  /** Records as they now are; with the `window`, where the start has got to. */
  write(
    key: SharePartitionKey,
    records: Iterable<InFlightRecord>,
    options?: { existing?: RecordRange[]; window?: ShareWindow },
  ): Promise<StartHint | null>;
  /** The lowest offset at or above `from` that is not final, or null. */
  firstNotFinal(key: SharePartitionKey, from: number): Promise<number | null>;
  /** Removes the records below `offset`; `straddling`: a range may hold offsets on both sides. */
  deleteBelow(key: SharePartitionKey, offset: number, straddling?: boolean): Promise<void>;
  /** Removes a group's records of a topic (or of one of its partitions). */
  deleteForTopic(groupId: number, topicId: number, partition?: number): Promise<void>;
}

/** Share groups' rows and their members. */
export interface ShareGroupStore {
  /** The group; its row locked on PostgreSQL: `update` for membership and config, `share` for fetches and acks. */
  find(name: string, lock?: 'update' | 'share' | 'none'): Promise<ShareGroupRow | null>;
  create(name: string, config: ShareGroupConfigView, now: number): Promise<void>;
  members(groupId: number): Promise<ShareMember[]>;
  /**
   * The group, its row locked as {@link find} locks it, with its members read after the lock
   * (null: none); with `checkKeys`, first KeysAppeared if an API key exists. `ahead`: windows
   * to lock (and records to read) in the same round trip where the database can (PostgreSQL).
   */
  open(name: string, lock: 'update' | 'share', checkKeys?: boolean, ahead?: WindowsAhead): Promise<OpenedGroup | null>;
  insertMember(groupId: number, member: ShareMember): Promise<void>;
  touchMember(groupId: number, memberId: string, expiresAt: number): Promise<void>;
  deleteMember(groupId: number, memberId: string): Promise<void>;
}

/** What a share group reads of the log. */
export interface ShareLogReads {
  topicsByNames(names: string[]): Promise<Topic[]>;
  topicsByIds(ids: number[]): Promise<Topic[]>;
  /** A log partition's offsets, or null when it is gone. */
  partition(topicId: number, partition: number): Promise<PartitionWindow | null>;
  /** The records in [from, to] carrying a valid `shoal.attempts` header, by offset. */
  attemptsBetween(topicId: number, partition: number, from: number, to: number): Promise<Map<number, number>>;
  /** The stored records at `offsets` and in [from, to), by offset, in one read. */
  recordsOf(
    topicId: number,
    partition: number,
    offsets: number[],
    range: { from: number; to: number },
  ): Promise<Map<number, StoredRecord>>;
}

/** Where archived records are copied: the group's dead-letter topic. */
export interface DeadLetterSink {
  write(batch: DeadLetterBatch): Promise<{ heads: PartitionHead[]; written: number }>;
}

/** What handlers said about their jobs: progress, result, last reason, outcome (`shoal_share_job`). */
export interface ShareJobNotes {
  /** Writes notes on records of one share-partition; a field left out keeps what is stored. */
  note(key: SharePartitionKey, notes: JobNote[]): Promise<void>;
}

/** The stores of one transaction. */
export interface ShareStores {
  readonly groups: ShareGroupStore;
  readonly partitions: SharePartitionStore;
  readonly log: ShareLogReads;
  readonly deadLetters: DeadLetterSink;
  readonly jobs: ShareJobNotes;
}
