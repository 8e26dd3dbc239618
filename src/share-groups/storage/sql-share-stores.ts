import { Injectable } from '@nestjs/common';
import type { ShareGroupConfigView } from '@shoal/protocol';
import type { InFlightRecord } from '../domain/record-state.js';
import type { RecordRange } from '../domain/record-range.js';
import { DeadLetterWriter, type DeadLetterBatch } from '../dead-letter.writer.js';
import type {
  DeadLetterSink,
  ShareGroupStore,
  ShareLogReads,
  SharePartitionStore,
  ShareStores,
} from '../share-stores.js';
import type { Sql } from '../../storage/database.js';
import { logStore } from '../../log/storage/log.store.js';
import { topicStore } from '../../log/storage/topic.store.js';
import { type ShareMember, shareGroupStore } from './share-group.store.js';
import { type JobNote, shareJobStore } from './share-job.store.js';
import { type SharePartitionKey, sharePartitionStore as store, type ShareWindow } from './share-partition.store.js';
import type { WindowsAhead } from './share-window-reads.js';

/** {@link SharePartitionStore} in SQL: share-partition.store.ts's statements, in `sql`'s transaction. */
export class SqlSharePartitionStore implements SharePartitionStore {
  constructor(private readonly sql: Sql) {}

  lockWindow(key: SharePartitionKey) {
    return store.lockWindow(this.sql, key);
  }

  lockWindows(groupId: number, keys: { topicId: number; partition: number }[], now: number) {
    return store.lockWindows(this.sql, groupId, keys, now);
  }
  createWindow(key: SharePartitionKey, start: number) {
    return store.createWindow(this.sql, key, start);
  }
  setWindow(key: SharePartitionKey, window: ShareWindow) {
    return store.setWindow(this.sql, key, window);
  }
  windows(groupId: number) {
    return store.windows(this.sql, groupId);
  }
  rangesOver(key: SharePartitionKey, from: number, to: number) {
    return store.rangesOver(this.sql, key, from, to);
  }
  records(key: SharePartitionKey, offsets: number[]) {
    return store.records(this.sql, key, offsets);
  }
  available(key: SharePartitionKey, now: number, limit: number) {
    return store.available(this.sql, key, now, limit);
  }
  expired(key: SharePartitionKey, now: number) {
    return store.expired(this.sql, key, now);
  }
  heldBy(groupId: number, memberId: string) {
    return store.heldBy(this.sql, groupId, memberId);
  }
  partitionsWithExpiredLocks(groupId: number, now: number) {
    return store.partitionsWithExpiredLocks(this.sql, groupId, now);
  }
  nextEventAt(groupId: number, now: number) {
    return store.nextEventAt(this.sql, groupId, now);
  }
  reopenBelowStart(key: SharePartitionKey, offsets: number[], start: number) {
    return store.reopenBelowStart(this.sql, key, offsets, start);
  }
  insertAcquired(key: SharePartitionKey, from: number, to: number, memberId: string, lockExpiresAt: number) {
    return store.insertAcquired(this.sql, key, from, to, memberId, lockExpiresAt);
  }
  write(
    key: SharePartitionKey,
    records: Iterable<InFlightRecord>,
    options?: { existing?: RecordRange[]; window?: ShareWindow },
  ) {
    return store.write(this.sql, key, records, options);
  }
  firstNotFinal(key: SharePartitionKey, from: number) {
    return store.firstNotFinal(this.sql, key, from);
  }
  deleteBelow(key: SharePartitionKey, offset: number, straddling?: boolean) {
    return store.deleteBelow(this.sql, key, offset, straddling);
  }
  deleteForTopic(groupId: number, topicId: number, partition?: number) {
    return store.deleteForTopic(this.sql, groupId, topicId, partition);
  }
}

/** {@link ShareGroupStore} in SQL: share-group.store.ts's statements, in `sql`'s transaction. */
export class SqlShareGroupStore implements ShareGroupStore {
  constructor(private readonly sql: Sql) {}

  find(name: string, lock?: 'update' | 'share' | 'none') {
    return shareGroupStore.find(this.sql, name, lock);
  }
  create(name: string, config: ShareGroupConfigView, now: number) {
    return shareGroupStore.create(this.sql, name, config, now);
  }
  members(groupId: number) {
    return shareGroupStore.members(this.sql, groupId);
  }
  open(name: string, lock: 'update' | 'share', checkKeys = false, ahead?: WindowsAhead) {
    return shareGroupStore.open(this.sql, name, lock, checkKeys, ahead);
  }
  insertMember(groupId: number, member: ShareMember) {
    return shareGroupStore.insertMember(this.sql, groupId, member);
  }
  touchMember(groupId: number, memberId: string, expiresAt: number) {
    return shareGroupStore.touchMember(this.sql, groupId, memberId, expiresAt);
  }
  deleteMember(groupId: number, memberId: string) {
    return shareGroupStore.deleteMember(this.sql, groupId, memberId);
  }
}

/** {@link ShareLogReads} in SQL: the log and topic stores' reads, in `sql`'s transaction. */
export class SqlShareLogReads implements ShareLogReads {
  constructor(private readonly sql: Sql) {}

  topicsByNames(names: string[]) {
    return topicStore.findByNames(this.sql, names);
  }
  topicsByIds(ids: number[]) {
    return topicStore.findByIds(this.sql, ids);
  }
  partition(topicId: number, partition: number) {
    return topicStore.partition(this.sql, topicId, partition);
  }
  attemptsBetween(topicId: number, partition: number, from: number, to: number) {
    return logStore.attemptsBetween(this.sql, topicId, partition, from, to);
  }
  recordsOf(topicId: number, partition: number, offsets: number[], range: { from: number; to: number }) {
    return logStore.recordsOf(this.sql, topicId, partition, offsets, range);
  }
}

/**
 * The stores a share group's transaction works through: {@link ShareStores} bound to its
 * `sql`. Injected (as this class) into the coordinator; a test may provide another.
 */
@Injectable()
export class ShareStorage {
  constructor(private readonly deadLetters: DeadLetterWriter) {}

  in(sql: Sql): ShareStores {
    const deadLetters: DeadLetterSink = { write: (batch: DeadLetterBatch) => this.deadLetters.write(sql, batch) };
    return {
      groups: new SqlShareGroupStore(sql),
      partitions: new SqlSharePartitionStore(sql),
      log: new SqlShareLogReads(sql),
      deadLetters,
      jobs: { note: (key: SharePartitionKey, notes: JobNote[]) => shareJobStore.note(sql, key, notes) },
    };
  }
}
