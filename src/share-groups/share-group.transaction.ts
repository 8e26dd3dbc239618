import type { TopicPartition } from '@shoal/protocol';
import { UnknownMemberError } from '../platform/errors/index.js';
import type { Topic } from '../log/domain/topic.js';
import type { AcquiredStoredRecord } from './domain/acquired-record.js';
import type { ByteBudget } from './domain/byte-budget.js';
import type { AckEntry } from './domain/acknowledge.js';
import { assignShared } from './domain/simple-assignor.js';
import type { Sql } from '../storage/database.js';
import type { OpenedGroup, ShareGroupRow, ShareMember } from './storage/share-group.store.js';
import type { LockedWindow, SharePartitionKey, ShareWindow } from './storage/share-partition.store.js';
import type { ShareStores } from './share-stores.js';
import type { ShareFlowRow } from './storage/share-group-flow.store.js';
import { emptyActivity, type ShareActivity, SharePartition, type ShareScope } from './share-partition.js';

/**
 * A transaction's windows locked ahead were not the ones it needed, and it would have to lock
 * one that sorts before a window it holds: it is run again without locking ahead (see
 * ShareGroupCoordinator), nothing of it kept.
 */
export class WindowsAheadMissed extends Error {
  constructor() {
    super('the share-partitions locked ahead are not those the transaction needs, in the lock order');
  }
}

/**
 * A share group inside one transaction: its row locked, its live members, the share-partitions
 * opened so far ({@link SharePartition}s, each opened once: locked, expiries applied; their
 * windows written by {@link flush} before the commit), the topics looked up, and what happened
 * (the activity the coordinator announces and counts after the commit). Everything it reads
 * and writes goes through its {@link ShareStores}. Made by {@link ShareGroupCoordinator.withGroup};
 * valid only inside its `work`.
 */
export class ShareGroupTransaction implements ShareScope {
  readonly activity: ShareActivity = emptyActivity();
  /** What to announce once this transaction committed (records produced in it: issue 26); run by the coordinator. */
  readonly committed: (() => void)[] = [];
  private readonly opened = new Map<string, SharePartition>();
  /** Windows {@link lockInOrder} locked and read, not opened yet, by `topicId:partition`. */
  private readonly locked = new Map<string, LockedWindow>();
  /** Topics looked up in this transaction, by name (null: no such topic). */
  private readonly topicsByName = new Map<string, Topic | null>();
  private liveMembers: ShareMember[];
  /** The group's flow row as {@link lockInOrder} read it (null: none); undefined until then. */
  flow: ShareFlowRow | null | undefined;
  private membershipChanged = false;
  private aheadUsed = false;

  constructor(
    readonly sql: Sql,
    readonly group: ShareGroupRow,
    members: ShareMember[],
    readonly now: number,
    readonly stores: ShareStores,
    /** Topics read with the group (its members' that exist), so not looked up again. */
    known: Topic[] = [],
    /** Windows locked with the group's opening ({@link lockInOrder} uses them when it would lock no others). */
    private readonly ahead?: OpenedGroup['ahead'],
  ) {
    this.liveMembers = members;
    for (const topic of known) this.topicsByName.set(topic.name, topic);
  }

  get members(): readonly ShareMember[] {
    return this.liveMembers;
  }

  /** Membership changed: waiting fetches should answer with their new assignment. */
  get changed(): boolean {
    return this.membershipChanged;
  }

  /** The member, or UNKNOWN_MEMBER. */
  member(memberId: string): ShareMember {
    const member = this.liveMembers.find((m) => m.memberId === memberId);
    if (!member) throw new UnknownMemberError(this.group.name, memberId);
    return member;
  }

  /** Keeps the member alive for its session (plus `extraAliveMs`: a fetch's wait). */
  async touch(memberId: string, extraAliveMs = 0): Promise<void> {
    const member = this.member(memberId);
    const expiresAt = this.now + member.sessionTimeoutMs + extraAliveMs;
    // The row only ever moves later: a member alive that long already (an ack right after a
    // fetch, which kept it alive for its wait too) needs no write.
    if (member.expiresAt >= expiresAt) return;
    await this.stores.groups.touchMember(this.group.id, memberId, expiresAt);
    member.expiresAt = expiresAt;
  }

  async addMember(member: ShareMember): Promise<void> {
    await this.stores.groups.insertMember(this.group.id, member);
    this.liveMembers.push(member);
    this.membershipChanged = true;
  }

  /** Removes members whose session ran out before now, releasing what they held. */
  async removeExpiredMembers(): Promise<void> {
    for (const member of this.liveMembers.filter((m) => m.expiresAt < this.now))
      await this.removeMember(member.memberId);
  }

  /** Removes a member and releases what it held, at once. */
  async removeMember(memberId: string): Promise<void> {
    await this.stores.groups.deleteMember(this.group.id, memberId);
    this.liveMembers = this.liveMembers.filter((m) => m.memberId !== memberId);
    this.membershipChanged = true;
    const held = await this.stores.partitions.heldBy(this.group.id, memberId);
    const byPartition = new Map<string, typeof held>();
    for (const record of held)
      byPartition.set(`${record.topicId}:${record.partition}`, [
        ...(byPartition.get(`${record.topicId}:${record.partition}`) ?? []),
        record,
      ]);
    if (byPartition.size === 0) return;
    const topics = await this.topicsById(held.map((r) => r.topicId));
    const ordered = [...byPartition.values()].sort(
      (a, b) => a[0].topicId - b[0].topicId || a[0].partition - b[0].partition,
    );
    for (const records of ordered) {
      const topic = topics.get(records[0].topicId);
      const open = topic ? await this.partition(topic, records[0].partition, { create: false }) : null;
      if (open)
        await open.releaseHeld(
          memberId,
          records.map((r) => r.offset),
        );
    }
  }

  /**
   * The share-partition, opened once per transaction (its row locked, expired locks applied,
   * the start moved past final records); its window is created at the first fetch when
   * `create`. Null when it has not started and not `create`, or the log partition is gone.
   */
  async partition(topic: Topic, partition: number, options: { create: boolean }): Promise<SharePartition | null> {
    const cached = this.opened.get(`${topic.id}:${partition}`);
    if (cached) return cached;
    const open = await SharePartition.open(
      this,
      topic,
      partition,
      options.create,
      this.locked.get(`${topic.id}:${partition}`),
    );
    if (open) this.opened.set(`${topic.id}:${partition}`, open);
    return open;
  }

  /** A redrive into this group: see {@link SharePartition.reopen}; [] when the group never read the partition. */
  async reopen(topic: Topic, partition: number, offsets: number[]): Promise<number[]> {
    const open = partition < topic.partitionCount ? await this.partition(topic, partition, { create: false }) : null;
    return open ? open.reopen(offsets) : [];
  }

  /** Stores a job's progress with a record the member holds (a renewal too); false when it does not hold it. */
  async progress(
    topic: Topic,
    partition: number,
    memberId: string,
    offset: number,
    progress: string,
  ): Promise<boolean> {
    const open = partition < topic.partitionCount ? await this.partition(topic, partition, { create: false }) : null;
    return open ? open.progress(memberId, offset, progress) : false;
  }

  /**
   * Applies one member's acks to one share-partition, in order; null when it is not open to
   * acks. `whole`: all of them or none (see SharePartition.acknowledge).
   */
  async acknowledge(
    topic: Topic,
    partition: number,
    memberId: string,
    entries: AckEntry[],
    whole = false,
  ): Promise<(string | null)[] | null> {
    const open = partition < topic.partitionCount ? await this.partition(topic, partition, { create: false }) : null;
    return open ? open.acknowledge(memberId, entries, whole) : null;
  }

  /**
   * Acquires up to `max` records of one share-partition for the member, as many as fit in
   * `budget`, as stored, lowest offset first.
   */
  async acquire(
    topic: Topic,
    partition: number,
    memberId: string,
    max: number,
    budget: ByteBudget,
  ): Promise<AcquiredStoredRecord[]> {
    const open = await this.partition(topic, partition, { create: true });
    return open ? open.acquire(memberId, max, budget) : [];
  }

  /** Writes what the opened share-partitions changed of their windows: before the commit, or a read of them. */
  async flush(): Promise<void> {
    for (const open of this.opened.values()) await open.flush();
  }

  /** Every share-partition of the group with its window, as this transaction has left them. */
  async windows(): Promise<(SharePartitionKey & ShareWindow)[]> {
    await this.flush();
    return this.stores.partitions.windows(this.group.id);
  }

  /** Puts a share-partition's window at `offset` with nothing in flight (an offset reset). */
  async resetWindow(topicId: number, partition: number, offset: number): Promise<void> {
    await this.flush();
    this.opened.delete(`${topicId}:${partition}`);
    const key = { groupId: this.group.id, topicId, partition };
    await this.stores.partitions.createWindow(key, offset);
    await this.stores.partitions.deleteForTopic(this.group.id, topicId, partition);
    await this.stores.partitions.setWindow(key, { startOffset: offset, endOffset: offset });
  }

  /**
   * Opens every share-partition of the group holding a lock that ran out, in the fixed lock
   * order: opening applies the expiries (released, or archived and dead-lettered at the
   * delivery limit) and moves the start past final records, exactly as a fetch would.
   */
  async applyLockExpiries(): Promise<void> {
    const expired = await this.stores.partitions.partitionsWithExpiredLocks(this.group.id, this.now);
    if (expired.length === 0) return;
    const topics = await this.topicsById(expired.map((p) => p.topicId));
    for (const { topicId, partition } of expired) {
      const topic = topics.get(topicId);
      if (topic) await this.partition(topic, partition, { create: false });
    }
  }

  /**
   * Locks the share-partitions this transaction is about to touch, in one fixed order, so two
   * transactions on PostgreSQL never wait on each other in a cycle, and reads what opening them
   * needs in the same statement. (SQLite runs one write transaction at a time: there the one
   * read saves the statements, and their requests to the connection, that opening each would cost.)
   */
  async lockInOrder(partitions: TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    const topics = await this.topics(partitions.map((p) => p.topic));
    const keys = new Map<string, { groupId: number; topicId: number; partition: number }>();
    for (const p of partitions) {
      const topicId = topics.get(p.topic)?.id;
      if (topicId !== undefined)
        keys.set(`${topicId}:${p.partition}`, { groupId: this.group.id, topicId, partition: p.partition });
    }
    // One statement locks them all in that order, and reads what opening each needs (see
    // SharePartition.open) — or the group's opening did, when it locked them (or those before the rest).
    const locked =
      (await this.lockFromAhead(keys)) ??
      (await this.stores.partitions.lockWindows(this.group.id, [...keys.values()], this.now));
    for (const [key, window] of locked) {
      this.locked.set(key, window);
      this.flow = window.flow;
    }
  }

  /**
   * The windows locked with the group's opening (used once), when the transaction uses them:
   * those of `keys` if they cover them all; else the rest locked now, if each sorts after every
   * window already held, so the lock order holds. A rest sorting before one held (the member's
   * assignment moved to an earlier partition) throws {@link WindowsAheadMissed}: the transaction
   * is rolled back and run again without locking ahead, rather than wait for a window while it
   * holds a later one (two fetches doing so the other way round waited on each other until
   * PostgreSQL's deadlock check ended one, a second later, and again on each retry).
   */
  private async lockFromAhead(keys: Map<string, SharePartitionKey>): Promise<Map<string, LockedWindow> | undefined> {
    const ahead = this.ahead;
    if (!ahead || this.aheadUsed) return undefined;
    this.aheadUsed = true;
    const asked = new Set(ahead.keys.map((k) => `${k.topicId}:${k.partition}`));
    const found = new Map([...ahead.locked].filter(([key]) => keys.has(key)));
    const rest = [...keys].filter(([key]) => !asked.has(key)).map(([, key]) => key);
    if (rest.length === 0) return found;
    if (ahead.locked.size === 0) return undefined; // nothing held: the usual lock of them all
    const held = [...ahead.locked.keys()].map((key) => key.split(':').map(Number));
    const [lastTopic, lastPartition] = held.reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a));
    if (rest.some((k) => k.topicId < lastTopic || (k.topicId === lastTopic && k.partition <= lastPartition)))
      throw new WindowsAheadMissed();
    for (const [key, window] of await this.stores.partitions.lockWindows(this.group.id, rest, this.now))
      found.set(key, window);
    return found;
  }

  /** The named topics that exist, looked up once per transaction. */
  async topics(names: string[]): Promise<Map<string, Topic>> {
    const missing = [...new Set(names)].filter((name) => !this.topicsByName.has(name));
    if (missing.length > 0) {
      const found = new Map((await this.stores.log.topicsByNames(missing)).map((t) => [t.name, t]));
      for (const name of missing) this.topicsByName.set(name, found.get(name) ?? null);
    }
    const result = new Map<string, Topic>();
    for (const name of names) {
      const topic = this.topicsByName.get(name);
      if (topic) result.set(name, topic);
    }
    return result;
  }

  /** Every member's assignment under the simple assignor, and the topics it covers. */
  async assignments(): Promise<{ byMember: Map<string, TopicPartition[]>; topics: Map<string, Topic> }> {
    const topics = await this.topics(this.liveMembers.flatMap((m) => m.topics));
    const byMember = assignShared(
      this.liveMembers,
      new Map([...topics.values()].map((t) => [t.name, t.partitionCount])),
    );
    return { byMember, topics };
  }

  /** When, from now, a delayed release becomes available or a lock runs out; null if never. */
  async nextEventInMs(): Promise<number | null> {
    const next = await this.stores.partitions.nextEventAt(this.group.id, this.now);
    return next === null ? null : next - this.now;
  }

  private async topicsById(ids: number[]): Promise<Map<number, Topic>> {
    return new Map((await this.stores.log.topicsByIds([...new Set(ids)])).map((t) => [t.id, t]));
  }
}
