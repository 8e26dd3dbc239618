import type { ShareGroupConfigView } from '@shoal/protocol';
import type { StoredRecord } from '../../src/log/domain/record.js';
import type { PartitionWindow, Topic } from '../../src/log/domain/topic.js';
import type { DeadLetterBatch } from '../../src/share-groups/dead-letter.writer.js';
import {
  dropLeadingFinal,
  expand,
  isFinal,
  overlay,
  type RecordRange,
  rangesOf,
  recordAt,
  recordsIn,
  type StartHint,
} from '../../src/share-groups/domain/record-range.js';
import { attemptsOf } from '../../src/log/domain/record-attempts.js';
import { type InFlightRecord, RecordState } from '../../src/share-groups/domain/record-state.js';
import type {
  DeadLetterSink,
  ShareGroupStore,
  ShareLogReads,
  ShareJobNotes,
  SharePartitionStore,
  ShareStores,
} from '../../src/share-groups/share-stores.js';
import type { JobNote } from '../../src/share-groups/storage/share-job.store.js';
import type { ShareGroupRow, ShareMember } from '../../src/share-groups/storage/share-group.store.js';
import type {
  LockedWindow,
  SharePartitionKey,
  ShareWindow,
} from '../../src/share-groups/storage/share-partition.store.js';

const id = (k: { topicId: number; partition: number }) => `${k.topicId}:${k.partition}`;
type WriteOptions = NonNullable<Parameters<SharePartitionStore['write']>[2]>;

/** {@link SharePartitionStore} in memory, one group's share-partitions: what unit tests drive a SharePartition with. */
export class InMemorySharePartitionStore implements SharePartitionStore {
  readonly windowRows = new Map<string, SharePartitionKey & ShareWindow>();
  readonly ranges = new Map<string, RecordRange[]>();
  /** Statements a SQL store would have run, by method: what a test may count. */
  readonly calls = new Map<string, number>();

  private count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  private of(key: SharePartitionKey): RecordRange[] {
    return this.ranges.get(id(key)) ?? [];
  }

  private put(key: SharePartitionKey, ranges: RecordRange[]): void {
    this.ranges.set(
      id(key),
      ranges.sort((a, b) => a.firstOffset - b.firstOffset),
    );
  }

  async lockWindow(key: SharePartitionKey) {
    this.count('lockWindow');
    const w = this.windowRows.get(id(key));
    return w ? { startOffset: w.startOffset, endOffset: w.endOffset } : null;
  }
  /** As on SQLite: nothing locked ahead; each share-partition is locked on opening. */
  async lockWindows(): Promise<Map<string, LockedWindow>> {
    return new Map();
  }
  async createWindow(key: SharePartitionKey, start: number) {
    this.count('createWindow');
    if (!this.windowRows.has(id(key))) this.windowRows.set(id(key), { ...key, startOffset: start, endOffset: start });
  }
  async setWindow(key: SharePartitionKey, window: ShareWindow) {
    this.count('setWindow');
    this.windowRows.set(id(key), { ...key, startOffset: window.startOffset, endOffset: window.endOffset });
  }
  async windows(groupId: number) {
    return [...this.windowRows.values()]
      .filter((w) => w.groupId === groupId)
      .sort((a, b) => a.topicId - b.topicId || a.partition - b.partition);
  }
  async rangesOver(key: SharePartitionKey, from: number, to: number) {
    this.count('rangesOver');
    return this.of(key)
      .filter((r) => r.lastOffset >= from && r.firstOffset <= to)
      .map((r) => ({ ...r }));
  }
  async records(key: SharePartitionKey, offsets: number[]) {
    const all = recordsIn(this.of(key), Math.min(...offsets), Math.max(...offsets));
    return new Map(offsets.filter((o) => all.has(o)).map((o) => [o, all.get(o)!]));
  }
  async available(key: SharePartitionKey, now: number, limit: number) {
    this.count('available');
    const ready = this.of(key).filter(
      (r) => r.state === RecordState.Available && (r.availableAt === null || r.availableAt <= now),
    );
    return limit <= 0 ? [] : expand(ready, limit);
  }
  async expired(key: SharePartitionKey, now: number) {
    this.count('expired');
    const ranges = this.of(key).filter((r) => r.state === RecordState.Acquired && r.lockExpiresAt! <= now);
    return expand(ranges, 100_000);
  }
  async heldBy(groupId: number, memberId: string) {
    const held: (InFlightRecord & { topicId: number; partition: number })[] = [];
    for (const [k, ranges] of this.ranges) {
      const [topicId, partition] = k.split(':').map(Number);
      for (const r of ranges)
        if (r.state === RecordState.Acquired && r.memberId === memberId)
          for (let o = r.firstOffset; o <= r.lastOffset; o++) held.push({ ...recordAt(r, o), topicId, partition });
    }
    return held;
  }
  async partitionsWithExpiredLocks(_groupId: number, now: number) {
    return [...this.ranges]
      .filter(([, ranges]) => ranges.some((r) => r.state === RecordState.Acquired && r.lockExpiresAt! <= now))
      .map(([k]) => ({ topicId: Number(k.split(':')[0]), partition: Number(k.split(':')[1]) }));
  }
  async nextEventAt(_groupId: number, now: number) {
    const times = [...this.ranges.values()]
      .flat()
      .map((r) =>
        r.state === RecordState.Available ? r.availableAt : r.state === RecordState.Acquired ? r.lockExpiresAt : null,
      )
      .filter((t): t is number => t !== null && t > now);
    return times.length === 0 ? null : Math.min(...times);
  }
  async reopenBelowStart(key: SharePartitionKey, offsets: number[], start: number) {
    const free = { memberId: null, lockExpiresAt: null, availableAt: null };
    const added: InFlightRecord[] = [];
    for (let o = offsets[0]; o < start; o++)
      added.push({
        offset: o,
        state: offsets.includes(o) ? RecordState.Available : RecordState.Acknowledged,
        deliveryCount: offsets.includes(o) ? 0 : 1,
        ...free,
      });
    this.put(key, [...this.of(key), ...rangesOf(added)]);
  }
  async insertAcquired(key: SharePartitionKey, from: number, to: number, memberId: string, lockExpiresAt: number) {
    this.count('insertAcquired');
    if (to <= from) return;
    const range = { state: RecordState.Acquired, deliveryCount: 1, memberId, lockExpiresAt, availableAt: null };
    this.put(key, [...this.of(key), { ...range, firstOffset: from, lastOffset: to - 1 }]);
  }
  /** The ranges over the records' span replaced by `overlay`'s answer; the leading final ones dropped given the window. */
  async write(key: SharePartitionKey, records: Iterable<InFlightRecord>, options: WriteOptions = {}) {
    const changes = rangesOf(records);
    if (changes.length === 0) return null;
    this.count('write');
    const span = [changes[0].firstOffset, changes[changes.length - 1].lastOffset] as const;
    const existing = options.existing ?? (await this.rangesOver(key, ...span));
    const next = overlay(existing, changes);
    const hint: StartHint | null = options.window ? dropLeadingFinal(next, options.window) : null;
    const replaced = new Set(existing.map((r) => r.firstOffset));
    this.put(key, [...this.of(key).filter((r) => !replaced.has(r.firstOffset)), ...next]);
    return hint;
  }
  async firstNotFinal(key: SharePartitionKey, from: number) {
    this.count('firstNotFinal');
    const open = this.of(key).filter((r) => r.lastOffset >= from && !isFinal(r.state));
    return open.length === 0 ? null : Math.max(from, Math.min(...open.map((r) => r.firstOffset)));
  }
  async deleteBelow(key: SharePartitionKey, offset: number, straddling = true) {
    this.count('deleteBelow');
    const kept = this.of(key).filter((r) => r.lastOffset >= offset);
    this.put(
      key,
      kept.map((r) => (straddling && r.firstOffset < offset ? { ...r, firstOffset: offset } : r)),
    );
  }
  async deleteForTopic(_groupId: number, topicId: number, partition?: number) {
    for (const k of [...this.ranges.keys()])
      if (k.startsWith(`${topicId}:`) && (partition === undefined || k === `${topicId}:${partition}`))
        this.ranges.delete(k);
  }
}

/** {@link ShareLogReads} over records held in memory, per topic id and partition. */
export class InMemoryShareLog implements ShareLogReads {
  readonly topics: Topic[] = [];
  readonly records = new Map<string, StoredRecord[]>();
  /** Reads of records, as a SQL store would run them. */
  recordReads = 0;

  addTopic(name: string, partitions = 1): Topic {
    const topic = { id: this.topics.length + 1, name, partitionCount: partitions, config: {} as Topic['config'] };
    this.topics.push(topic);
    for (let p = 0; p < partitions; p++) this.records.set(id({ topicId: topic.id, partition: p }), []);
    return topic;
  }

  /** Appends records (value: JSON text) to a partition; answers their offsets. */
  append(topic: Topic, partition: number, values: string[], headers: string | null = null): number[] {
    const log = this.records.get(id({ topicId: topic.id, partition }))!;
    const next =
      log.length === 0 ? (this.starts.get(id({ topicId: topic.id, partition })) ?? 0) : log[log.length - 1].offset + 1;
    return values.map((value, i) => {
      log.push({ offset: next + i, timestamp: 1_000 + next + i, key: null, value, headers, size: value.length });
      return next + i;
    });
  }

  private readonly starts = new Map<string, number>();

  /** Retention: the records below `offset` are gone. */
  trim(topic: Topic, partition: number, offset: number): void {
    const k = id({ topicId: topic.id, partition });
    this.records.set(
      k,
      this.records.get(k)!.filter((r) => r.offset >= offset),
    );
    this.starts.set(k, offset);
  }

  async topicsByNames(names: string[]) {
    return this.topics.filter((t) => names.includes(t.name));
  }
  async topicsByIds(ids: number[]) {
    return this.topics.filter((t) => ids.includes(t.id));
  }
  async partition(topicId: number, partition: number): Promise<PartitionWindow | null> {
    const log = this.records.get(id({ topicId, partition }));
    if (!log) return null;
    const start = log[0]?.offset ?? this.starts.get(id({ topicId, partition })) ?? 0;
    const end = log.length === 0 ? start : log[log.length - 1].offset + 1;
    return { partition, startOffset: start, endOffset: end };
  }
  async attemptsBetween(topicId: number, partition: number, from: number, to: number) {
    const attempts = new Map<number, number>();
    for (const r of this.records.get(id({ topicId, partition })) ?? []) {
      const n = r.offset >= from && r.offset <= to ? attemptsOf(r.headers) : undefined;
      if (n !== undefined) attempts.set(r.offset, n);
    }
    return attempts;
  }
  async recordsOf(topicId: number, partition: number, offsets: number[], range: { from: number; to: number }) {
    this.recordReads++;
    const found = new Map<number, StoredRecord>();
    for (const r of this.records.get(id({ topicId, partition })) ?? [])
      if ((r.offset >= range.from && r.offset < range.to) || offsets.includes(r.offset)) found.set(r.offset, { ...r });
    return found;
  }
}

/** {@link ShareGroupStore} in memory: one group and its members. */
export class InMemoryShareGroupStore implements ShareGroupStore {
  readonly groups = new Map<string, ShareGroupRow>();
  readonly memberRows = new Map<number, ShareMember[]>();

  async find(name: string) {
    return this.groups.get(name) ?? null;
  }
  async create(name: string, config: ShareGroupConfigView) {
    if (!this.groups.has(name)) this.groups.set(name, { id: this.groups.size + 1, name, config });
  }
  async members(groupId: number) {
    return [...(this.memberRows.get(groupId) ?? [])];
  }
  async open(name: string) {
    const group = await this.find(name);
    return group && { group, members: await this.members(group.id) };
  }
  async insertMember(groupId: number, member: ShareMember) {
    this.memberRows.set(groupId, [...(this.memberRows.get(groupId) ?? []), member]);
  }
  async touchMember(groupId: number, memberId: string, expiresAt: number) {
    for (const m of this.memberRows.get(groupId) ?? [])
      if (m.memberId === memberId && m.expiresAt < expiresAt) m.expiresAt = expiresAt;
  }
  async deleteMember(groupId: number, memberId: string) {
    this.memberRows.set(
      groupId,
      (this.memberRows.get(groupId) ?? []).filter((m) => m.memberId !== memberId),
    );
  }
}

/** The dead-letter copies a test's SharePartition asked for. */
export class RecordingDeadLetters implements DeadLetterSink {
  readonly batches: DeadLetterBatch[] = [];
  async write(batch: DeadLetterBatch) {
    this.batches.push(batch);
    return { heads: [], written: batch.records.length };
  }
}

/** Job notes in memory, by `topicId:partition:offset`, merged as the SQL store merges them. */
export class InMemoryJobNotes implements ShareJobNotes {
  readonly rows = new Map<string, JobNote>();
  async note(key: SharePartitionKey, notes: JobNote[]) {
    for (const n of notes) {
      const at = `${id(key)}:${n.offset}`;
      const old = this.rows.get(at) ?? { offset: n.offset };
      const merged: JobNote = { ...old };
      for (const [field, value] of Object.entries(n))
        if (value !== undefined && value !== null) Object.assign(merged, { [field]: value });
      this.rows.set(at, merged);
    }
  }
}

/** Every share store in memory. */
export function inMemoryShareStores(): ShareStores & {
  groups: InMemoryShareGroupStore;
  partitions: InMemorySharePartitionStore;
  log: InMemoryShareLog;
  deadLetters: RecordingDeadLetters;
  jobs: InMemoryJobNotes;
} {
  return {
    groups: new InMemoryShareGroupStore(),
    partitions: new InMemorySharePartitionStore(),
    log: new InMemoryShareLog(),
    deadLetters: new RecordingDeadLetters(),
    jobs: new InMemoryJobNotes(),
  };
}
