import { Inject, Injectable } from '@nestjs/common';
import { ChangeSignal, groupKey, settledKey } from '../platform/change-signal.js';
import { type Clock, CLOCK } from '../platform/clock.js';
import { UnknownGroupError } from '../platform/errors/index.js';
import { DEFAULT_SHARE_GROUP_CONFIG } from './domain/share-group-config.js';
import { ShareGroupHooks } from './share-group.hooks.js';
import type { ShareActivityCounts } from './domain/share-activity.js';
import { yieldToEventLoop } from '../platform/yield-to-event-loop.js';
import { Database, type Sql } from '../storage/database.js';
import { shareGroupStore } from './storage/share-group.store.js';
import { sharePartitionStore } from './storage/share-partition.store.js';
import { shareJobStore } from './storage/share-job.store.js';
import type { WindowsAhead } from './storage/share-window-reads.js';
import {
  acceptLeading,
  type AcceptLeadingAsk,
  type FetchNextAnswer,
  type FetchNextAsk,
  fetchNext,
} from './storage/share-fetch-next.store.js';
import { topicActivity } from './domain/share-activity.js';
import { emptyActivity } from './share-partition.js';

/** A share group's transaction options: the group's with the windows its opening may lock ahead (PostgreSQL). */
export interface ShareGroupOptions extends WithGroupOptions {
  ahead?: Omit<WindowsAhead, 'now'>;
}

/** How often the sweep deletes jobs' notes that expired or whose job finished unkept. */
export const JOB_NOTES_SWEEP_MS = 10_000;
import { ShareStorage } from './storage/sql-share-stores.js';
import { GroupSessions, type WithGroupOptions } from '../groups/group-sessions.js';
import { LogAppender } from '../log/log-appender.js';
import { ShareGroupTransaction, WindowsAheadMissed } from './share-group.transaction.js';

/**
 * What every share-group operation shares: one transaction holding the group's row, members
 * whose session ran out removed (their records released at once), and after the commit the
 * wake-ups, dead-letter announcements and metrics of what happened.
 */
@Injectable()
export class ShareGroupCoordinator extends GroupSessions<ShareGroupTransaction> {
  /** When the sweep last deleted jobs' notes (`shoal_share_job`). */
  private jobNotesSweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    database: Database,
    private readonly storage: ShareStorage,
    private readonly signal: ChangeSignal,
    private readonly appender: LogAppender,
    private readonly hooks: ShareGroupHooks,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(database, clock, shareGroupStore, 'share');
  }

  /**
   * Applies what time has done as of `now`: members whose session ran out are removed (their
   * records released) and expired locks are applied (released, or archived and dead-lettered
   * at the delivery limit, the start moved past final records). Idempotent; fetch, describe
   * and `/metrics` apply expiries too, so what they show never waits for this. Every
   * {@link JOB_NOTES_SWEEP_MS}, jobs' notes that expired (or whose job finished while the group
   * kept no results) are deleted; the job lookup already ignores expired ones.
   */
  override async sweep(now: number): Promise<number> {
    const expiredSessions = await this.expireSessions(now);
    if (now - this.jobNotesSweptAt >= JOB_NOTES_SWEEP_MS || now < this.jobNotesSweptAt) {
      this.jobNotesSweptAt = now;
      await this.database.run((sql) => shareJobStore.sweep(sql, now));
    }
    const expiredLocks = await this.database.run((sql) => sharePartitionStore.groupsWithExpiredLocks(sql, now));
    for (const group of expiredLocks) {
      await yieldToEventLoop(); // one group's transaction at a time holds the loop
      await this.withGroup(
        group,
        () => new UnknownGroupError(group),
        (tx) => tx.applyLockExpiries(),
        { now },
      );
    }
    return expiredSessions;
  }

  /** Fetches and acks share the group's row; membership and configuration changes lock it alone. */
  protected async begin(
    sql: Sql,
    name: string,
    now: number,
    options: WithGroupOptions,
  ): Promise<ShareGroupTransaction | null> {
    const stores = this.storage.in(sql);
    if (options.create) await stores.groups.create(name, DEFAULT_SHARE_GROUP_CONFIG, now);
    const check = options.keyCheck?.pending === true;
    const ahead = (options as ShareGroupOptions).ahead;
    const lock = options.create || options.membership ? 'update' : 'share';
    const opened = await stores.groups.open(name, lock, check, ahead && { ...ahead, now });
    if (check) options.keyCheck!.pending = false;
    if (!opened) return null;
    const tx = new ShareGroupTransaction(sql, opened.group, opened.members, now, stores, opened.topics, opened.ahead);
    await tx.removeExpiredMembers();
    return tx;
  }

  /**
   * PostgreSQL: a member's fetch without acks from its one partition in one statement, when it
   * is the plain case (see {@link fetchNext}); its acquisitions counted as a transaction's are.
   * Not done (`done` false) when it is not, or when the statement lost a deadlock or a
   * serialization check (nothing of it was kept): the caller then fetches the usual way.
   */
  async fetchNext(ask: Omit<FetchNextAsk, 'now'>, topic: string): Promise<FetchNextAnswer & { now: number }> {
    const now = this.clock.now();
    try {
      // An acquisition alone answers without waiting for any flush, as a fetch's transaction does.
      const answer = await this.database.peek((sql) => fetchNext(sql, { ...ask, now }));
      if (answer.done) {
        const activity = emptyActivity();
        topicActivity(activity.byTopic, topic).acquired += answer.records.length;
        this.hooks.activity.emit(ask.group, activity);
      }
      return { ...answer, now };
    } catch (error) {
      const code = (error as { driverError?: { code?: string } }).driverError?.code;
      if (code === '40P01' || code === '40001') return { done: false, seen: null, now };
      throw error;
    }
  }

  /**
   * PostgreSQL: accepts that make a share-partition's leading records final, in one statement
   * committed apart from its flush and answered once flushed (see {@link acceptLeading}); false:
   * not that case (or the statement lost a deadlock): nothing done, the caller acks the usual way.
   */
  async acceptLeading(ask: Omit<AcceptLeadingAsk, 'now'>, topic: string): Promise<boolean> {
    const now = this.clock.now();
    try {
      // Committed as it ends, with synchronous_commit off: answered once the barrier's flush is done.
      if (!(await this.database.peek((sql) => acceptLeading(sql, { ...ask, now })))) return false;
      const flushed = this.database.barrierFlushed();
      if (!flushed) throw new Error('accepts committed apart from their flush with no flush barrier');
      await flushed;
    } catch (error) {
      const code = (error as { driverError?: { code?: string } }).driverError?.code;
      if (code === '40P01' || code === '40001') return false;
      throw error;
    }
    const activity = emptyActivity();
    topicActivity(activity.byTopic, topic).acks.accept += ask.lasts.reduce(
      (n, last, i) => n + last - ask.firsts[i] + 1,
      0,
    );
    this.signal.notify(settledKey(ask.group));
    this.hooks.activity.emit(ask.group, activity);
    return true;
  }

  /** A transaction whose windows locked ahead were not those it needed runs again without locking ahead. */
  protected override runAgainWith(error: unknown, options: ShareGroupOptions): ShareGroupOptions | null {
    return error instanceof WindowsAheadMissed && options.ahead ? { ...options, ahead: undefined } : null;
  }

  /** The share-partitions' window changes, written once each. */
  protected override beforeCommit(tx: ShareGroupTransaction): Promise<void> {
    return tx.flush();
  }

  protected afterCommit(tx: ShareGroupTransaction): void {
    const { activity, group } = tx;
    this.appender.announce(activity.deadLetterHeads);
    for (const announce of tx.committed) announce();
    if (activity.released || tx.changed) this.signal.notify(groupKey('share', group.id));
    // Jobs that finished wake whoever waits for one of them (GET …/records/{offset}?waitMs).
    if (settledAny(activity)) this.signal.notify(settledKey(group.name));
    this.hooks.activity.emit(group.name, activity);
  }
}

/** Whether a transaction brought any record to a final state: accepted, rejected or archived. */
function settledAny(activity: ShareActivityCounts): boolean {
  for (const topic of activity.byTopic.values())
    if (topic.acks.accept + topic.acks.reject + topic.archived.rejected + topic.archived.delivery_limit > 0)
      return true;
  return false;
}
