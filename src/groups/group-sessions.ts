import { Inject, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { assertGroupQuota } from '../security/quotas.js';
import type { KeyCheck } from '../security/deferred-auth.js';
import { PeriodicTask } from '../platform/periodic-task.js';
import { yieldToEventLoop } from '../platform/yield-to-event-loop.js';
import type { Clock } from '../platform/clock.js';
import { GroupNotEmptyError, UnknownGroupError, UnknownTopicError } from '../platform/errors/index.js';
import type { Topic } from '../log/domain/topic.js';
import type { Database, Sql } from '../storage/database.js';
import type { GroupSessionStore } from './storage/group-session.store.js';
import { topicStore } from '../log/storage/topic.store.js';

/** A group inside one transaction: what the shared session mechanics need of it. */
export interface GroupTransaction {
  readonly sql: Sql;
  readonly group: { readonly name: string };
  readonly members: readonly { readonly memberId: string }[];
}

export interface WithGroupOptions {
  /** Create the group if it does not exist. */
  create?: boolean;
  /** Membership or configuration changes: the group's row is locked exclusively. */
  membership?: boolean;
  /** The transaction's time; the clock's by default. */
  now?: number;
  /** False: answered without waiting for the commit's flush; 'apart': flushed apart from the commit (see TransactionOptions.durable). */
  durable?: boolean | 'apart';
  /** See TransactionOptions.flushWithCommit. */
  flushWithCommit?: (result: unknown) => boolean;
  /** A request's deferred auth check, made by the statement that opens the group if still pending (security/deferred-auth.ts). */
  keyCheck?: KeyCheck;
}

const SESSION_SWEEP_INTERVAL_MS = 1_000;

/**
 * The session mechanics consumer and share groups share: every operation in one transaction
 * holding the group's row with expired members gone ({@link withGroup}); a restart renews every
 * session; a sweep every second removes members whose session ran out (and whatever else
 * the kind's {@link sweep} applies); the topic check of a join and the not-empty guard.
 */
export abstract class GroupSessions<Tx extends GroupTransaction>
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly task: PeriodicTask;
  /** For the group quota; injected as a property so the subclasses' constructors stay as they are. */
  @Optional() @Inject(SHOAL_CONFIG) private readonly config?: ShoalConfig;

  protected constructor(
    protected readonly database: Database,
    protected readonly clock: Clock,
    private readonly sessions: GroupSessionStore,
    kind: string,
  ) {
    this.task = new PeriodicTask(
      `${kind} group sweep`,
      SESSION_SWEEP_INTERVAL_MS,
      () => this.sweep(this.clock.now()),
      new Logger(`${kind} group sweep`),
    );
  }

  /** Opens the group inside `sql` (created first when `create`), its expired members removed; null if there is none. */
  protected abstract begin(sql: Sql, name: string, now: number, options: WithGroupOptions): Promise<Tx | null>;

  /** Wake-ups, announcements and metrics of what the committed transaction did. */
  protected abstract afterCommit(tx: Tx): void;

  /** What `work` left to write, written inside the transaction before it commits; nothing by default. */
  protected async beforeCommit(_tx: Tx): Promise<void> {}

  async onApplicationBootstrap(): Promise<void> {
    // A restart gives every member a fresh session and releases nothing by itself.
    await this.database.run((sql) => this.sessions.renewAllSessions(sql, this.clock.now()));
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /**
   * Runs `work` in one transaction with the group's row locked and its expired members gone.
   * A group that does not exist is created when `create`, else `missing()` is thrown.
   */
  async withGroup<T>(
    name: string,
    missing: () => Error,
    work: (tx: Tx) => Promise<T>,
    options: WithGroupOptions = {},
  ): Promise<T> {
    const { result, durable, tx } = await this.commitGroup(name, missing, work, options);
    await durable;
    this.afterCommit(tx);
    return result;
  }

  /**
   * {@link withGroup}, answered as soon as the transaction committed (its wake-ups done), with
   * a promise of its flush (see `Database.commit`): the caller may run its next transaction
   * while this one is flushed, and awaits `durable` before it tells anyone outside the broker.
   */
  async withGroupCommitted<T>(
    name: string,
    missing: () => Error,
    work: (tx: Tx) => Promise<T>,
    options: WithGroupOptions = {},
  ): Promise<{ result: T; durable: Promise<void> }> {
    const { result, durable, tx } = await this.commitGroup(name, missing, work, options);
    if (this.database.kind !== 'postgres') {
      this.afterCommit(tx);
      return { result, durable };
    }
    // PostgreSQL's readers do not wait for a flush: what the commit wakes must be on disk first.
    return { result, durable: durable.then(() => this.afterCommit(tx)) };
  }

  /** Options to run a transaction again with once `error` rolled it back; null: the error stands. None by default. */
  protected runAgainWith(_error: unknown, _options: WithGroupOptions): WithGroupOptions | null {
    return null;
  }

  private async commitGroup<T>(
    name: string,
    missing: () => Error,
    work: (tx: Tx) => Promise<T>,
    options: WithGroupOptions,
  ): Promise<{ result: T; durable: Promise<void>; tx: Tx }> {
    try {
      return await this.commitGroupOnce(name, missing, work, options);
    } catch (error) {
      const again = this.runAgainWith(error, options);
      if (!again) throw error;
      return this.commitGroupOnce(name, missing, work, again);
    }
  }

  private async commitGroupOnce<T>(
    name: string,
    missing: () => Error,
    work: (tx: Tx) => Promise<T>,
    options: WithGroupOptions,
  ): Promise<{ result: T; durable: Promise<void>; tx: Tx }> {
    let opened: Tx | null = null;
    const { result, durable } = await this.database.commit(
      async (sql) => {
        if (options.create) await assertGroupQuota(sql, this.config, name);
        const tx = await this.begin(sql, name, options.now ?? this.clock.now(), options);
        if (!tx) throw missing();
        opened = tx;
        const result = await work(tx);
        await this.beforeCommit(tx);
        return result;
      },
      { durable: options.durable ?? true, flushWithCommit: options.flushWithCommit },
    );
    return { result, durable, tx: opened! };
  }

  /**
   * Whether a commit can be flushed apart from it (SQLite's WalSync, PostgreSQL's flush barrier),
   * so its flush can overlap the next transaction.
   */
  get flushesApart(): boolean {
    return this.database.flushesApart;
  }

  /** Whether others may read what a commit wrote before its flush (PostgreSQL; SQLite's readers wait for it). */
  get readsBeforeFlush(): boolean {
    return this.database.kind === 'postgres';
  }

  /** Applies what time has done as of `now`; idempotent. By default: expired sessions. Answers how many groups had one. */
  async sweep(now: number): Promise<number> {
    return this.expireSessions(now);
  }

  /** Removes every member whose session ran out before `now`; answers how many groups it touched. */
  protected async expireSessions(now: number): Promise<number> {
    const groups = await this.database.run((sql) => this.sessions.groupsWithExpiredMembers(sql, now));
    for (const group of groups) {
      await yieldToEventLoop(); // one group's transaction at a time holds the loop
      await this.withGroup(
        group,
        () => new UnknownGroupError(group),
        async () => undefined,
        { membership: true, now },
      );
    }
    return groups.length;
  }

  /** GROUP_NOT_EMPTY unless every member has left or expired. */
  requireEmpty(tx: Tx): void {
    if (tx.members.length > 0) throw new GroupNotEmptyError(tx.group.name);
  }

  /** The topics a member joins with, each existing, or UNKNOWN_TOPIC naming the first missing one. */
  async joinTopics(tx: Tx, names: string[]): Promise<Topic[]> {
    const found = await topicStore.findByNames(tx.sql, names);
    const missing = names.find((name) => !found.some((t) => t.name === name));
    if (missing !== undefined) throw new UnknownTopicError(missing);
    return found;
  }
}

/** How a member joins either kind of group: the topics it subscribes to and its session timeout. */
export interface MemberJoin {
  topics: string[];
  sessionTimeoutMs?: number;
}

/** The member routes' one shape, for consumer and share groups alike. */
export interface GroupMembership<Join extends MemberJoin, Joined, Heartbeat> {
  join(group: string, options: Join): Promise<Joined>;
  heartbeat(group: string, memberId: string): Promise<Heartbeat>;
  leave(group: string, memberId: string): Promise<void>;
}
