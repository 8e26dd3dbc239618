import { Inject, Injectable } from '@nestjs/common';
import { type Acknowledgement, type AckResult, ErrorCode, type TopicPartition } from '@shoal/protocol';
import { DEFAULT_SECURITY, type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { NotHeldError, UnknownMemberError } from '../platform/errors/index.js';
import type { AcquiredStoredRecord } from './domain/acquired-record.js';
import { appendKey, ChangeSignal, groupKey, type WaitTiming } from '../platform/change-signal.js';
import { ShareGroupCoordinator, type ShareGroupOptions } from './share-group.coordinator.js';
import type { ShareGroupTransaction } from './share-group.transaction.js';
import { acquireFor } from './share-fetch.flow.js';
import { TransactionalProduce } from '../log/transactional-produce.js';
import type { KeyCheck } from '../security/deferred-auth.js';
import { type Attempt, ShareShortcuts } from './share-shortcuts.js';
import { AcksRefused, type AcksProduced, type ProducingAcks, produceWithAcks, producesAny } from './producing-acks.js';

export interface ShareFetchOptions {
  maxRecords: number;
  maxWaitMs: number;
  acks: Acknowledgement[];
  /** The Kafka door: a partition's acks apply all together or not at all (Kafka's rule); HTTP: each on its own. */
  wholePartitionAcks?: boolean;
  /** Acquire only from these of the member's assigned partitions (a Kafka share session's); all when absent. */
  partitions?: TopicPartition[];
  /** Adds up the time spent waiting (the request's timing). */
  timing?: WaitTiming;
  /** Produces what the acks carry, in their transaction, once they are applied (issue 26; see producing-acks.ts). */
  produceWith?: (tx: ShareGroupTransaction, results: AckResult[]) => Promise<AckResult[]>;
  /** The request's deferred auth check, made by its first transaction (security/deferred-auth.ts). */
  keyCheck?: KeyCheck;
}

/** A share fetch's answer: the records as stored (each door encodes them) and the acks' results. */
export interface ShareFetchResult {
  records: AcquiredStoredRecord[];
  ackResults: AckResult[];
}

/**
 * A share-group member's fetch and acks. Acks apply first, in order; then records are acquired
 * from the member's partitions, lowest offset first and fairly across partitions, within
 * `SHOAL_MAX_RESPONSE_BYTES` of stored record sizes (a first larger record alone); with nothing
 * to hand out, the fetch waits for an append, a release, or a change of membership.
 */
@Injectable()
export class ShareFetchService {
  private readonly rotation = new Map<string, number>();
  /** PostgreSQL's shorter ways for plain fetches and accepts. */
  private readonly shortcuts: ShareShortcuts;
  /** The most record bytes one answer carries (`security.maxResponseBytes`). */
  private readonly maxResponseBytes: number;
  /** Fetches of this broker under way, not counting those in a long-poll wait. */
  private active = 0;

  constructor(
    private readonly coordinator: ShareGroupCoordinator,
    private readonly signal: ChangeSignal,
    @Inject(SHOAL_CONFIG) config: ShoalConfig,
    private readonly producer: TransactionalProduce,
  ) {
    this.maxResponseBytes = (config.security ?? DEFAULT_SECURITY).maxResponseBytes;
    this.shortcuts = new ShareShortcuts(coordinator, this.rotation, this.maxResponseBytes);
  }

  /**
   * Acks that may carry records to produce (issue 26): acks and appends in one transaction, the
   * appends standing only with the acks they ride on (see {@link produceWithAcks}).
   */
  async acknowledgeProducing(group: string, memberId: string, request: ProducingAcks): Promise<AcksProduced> {
    if (!producesAny(request)) return { results: await this.acknowledge(group, memberId, request.acks) };
    try {
      // Waking readers of the records at the commit, as a produce does (on SQLite a reader answers
      // only once the flush it may have seen is done): a request's reply is read while it is flushed.
      const { result, durable } = await this.coordinator.withGroupCommitted(
        group,
        () => new UnknownMemberError(group, memberId),
        async (tx) => produceWithAcks(tx, this.producer, request, await this.acknowledgeIn(tx, memberId, request.acks)),
      );
      await durable;
      return result;
    } catch (error) {
      if (error instanceof AcksRefused) return { results: error.results };
      throw error;
    }
  }

  /**
   * A fetch whose acks produce. Entries' own records ride in the acks' transaction as any
   * piggy-backed acks do; a request's own list (which a refused ack rolls back, acks and all)
   * goes with its acks in a transaction of their own first, then the fetch without them.
   */
  async fetchProducing(
    group: string,
    memberId: string,
    options: Omit<ShareFetchOptions, 'acks'> & ProducingAcks,
  ): Promise<ShareFetchResult & Pick<AcksProduced, 'produced'>> {
    if (!producesAny(options)) return this.fetch(group, memberId, options);
    if (!options.produce?.length) {
      const produceWith = async (tx: ShareGroupTransaction, results: AckResult[]) =>
        results.length === 0 ? results : (await produceWithAcks(tx, this.producer, options, results)).results;
      return this.fetch(group, memberId, { ...options, produceWith });
    }
    const { results, produced } = await this.acknowledgeProducing(group, memberId, options);
    const fetched = await this.fetch(group, memberId, { ...options, acks: [] });
    return { ...fetched, ackResults: results, ...(produced ? { produced } : {}) };
  }

  async acknowledge(
    group: string,
    memberId: string,
    acks: Acknowledgement[],
    wholePartitions = false,
  ): Promise<AckResult[]> {
    const apart = this.flushApart(acks);
    const accepted = apart ? await this.shortcuts.accept(group, memberId, acks) : null;
    if (accepted) return accepted;
    return this.coordinator.withGroup(
      group,
      () => new UnknownMemberError(group, memberId),
      (tx) => this.acknowledgeIn(tx, memberId, acks, true, wholePartitions),
      // On PostgreSQL the share-partitions' rows are then not held through the flush: a fetch
      // of the same partitions goes on meanwhile.
      { durable: apart ? 'apart' : true },
    );
  }

  /**
   * Whether acks may commit apart from their flush (answered once it is done). On PostgreSQL
   * others read what a commit wrote before its flush, so there only acks whose writes nobody
   * answers from as durable: accepts and renewals (no dead-letter record written, no record
   * made available to others) — and never acks that produce: their records would be readable
   * before they are on disk.
   */
  private flushApart(acks: Acknowledgement[], producing = false): boolean {
    if (!this.coordinator.flushesApart || producing) return false;
    return !this.coordinator.readsBeforeFlush || acks.every((a) => a.type === 'accept' || a.type === 'renew');
  }

  /**
   * Stores a job's progress (JSON text) with a record the member holds, and renews its lock;
   * answers the new lock expiry. 409 INVALID_RECORD_STATE when the member does not hold it.
   */
  async progress(
    group: string,
    memberId: string,
    job: TopicPartition & { offset: number },
    progress: string,
  ): Promise<{ lockExpiresAt: number }> {
    return this.coordinator.withGroup(
      group,
      () => new UnknownMemberError(group, memberId),
      async (tx) => {
        await tx.touch(memberId);
        await tx.lockInOrder([job]);
        const topic = (await tx.topics([job.topic])).get(job.topic);
        if (!topic || !(await tx.progress(topic, job.partition, memberId, job.offset, progress)))
          throw new NotHeldError(job.topic, job.partition, job.offset);
        return { lockExpiresAt: tx.now + tx.group.config.recordLockDurationMs };
      },
    );
  }

  async fetch(group: string, memberId: string, options: ShareFetchOptions): Promise<ShareFetchResult> {
    this.active++;
    try {
      return await this.fetchActive(group, memberId, options);
    } finally {
      this.active--;
    }
  }

  private async fetchActive(group: string, memberId: string, options: ShareFetchOptions): Promise<ShareFetchResult> {
    if (
      options.acks.length > 0 &&
      this.active === 1 &&
      !this.coordinator.readsBeforeFlush &&
      this.flushApart(options.acks, options.produceWith !== undefined)
    ) {
      // Alone (no other fetch of this broker under way but in a long-poll wait), the acks
      // commit in a transaction of their own, and their flush runs while the records are
      // acquired (as Kafka applies a ShareFetch's acknowledgements beside its fetch and answers
      // once both are done): the answer comes a flush's overlap sooner. They stand if the fetch
      // then fails; the answer waits for their flush. With other fetches under way, the one
      // transaction costs less CPU, and the flushes overlap across fetches anyway.
      const acked = await this.coordinator.withGroupCommitted(
        group,
        () => new UnknownMemberError(group, memberId),
        // The acquisition right after renews the member's session; here it need only exist.
        (tx) => this.acknowledgeIn(tx, memberId, options.acks, false, options.wholePartitionAcks, options.produceWith),
        { durable: 'apart', keyCheck: options.keyCheck },
      );
      // Settled together: a failed flush is not left unhandled while the fetch waits.
      const [fetched, flushed] = await Promise.allSettled([
        this.fetchAcquiring(group, memberId, { ...options, acks: [] }),
        acked.durable,
      ]);
      if (fetched.status === 'rejected') throw fetched.reason;
      if (flushed.status === 'rejected') throw flushed.reason;
      return { ...fetched.value, ackResults: acked.result };
    }
    return this.fetchAcquiring(group, memberId, options);
  }

  private async acknowledgeIn(
    tx: ShareGroupTransaction,
    memberId: string,
    acks: Acknowledgement[],
    renewSession = true,
    wholePartitions = false,
    produceWith?: ShareFetchOptions['produceWith'],
  ): Promise<AckResult[]> {
    if (renewSession) await tx.touch(memberId);
    else tx.member(memberId);
    await tx.lockInOrder(acks);
    const results = await this.applyAcks(tx, memberId, acks, wholePartitions);
    return produceWith ? produceWith(tx, results) : results;
  }

  /**
   * Acks (if any) and acquisition in one transaction; with nothing to hand out, the wait. On
   * PostgreSQL, accepts and renewals commit apart from their flush (see {@link flushApart}): the
   * share-partitions' rows are not held through it, and it runs while the fetch waits for
   * records; the answer waits for it.
   */
  private async fetchAcquiring(group: string, memberId: string, options: ShareFetchOptions): Promise<ShareFetchResult> {
    const apart =
      options.acks.length > 0 &&
      this.coordinator.readsBeforeFlush &&
      this.flushApart(options.acks, options.produceWith !== undefined);
    // Changes committed from here on wake the wait (the first attempt may not have seen them).
    const since = this.signal.version;
    const { result, durable } = apart
      ? await this.coordinator.withGroupCommitted(...this.attemptIn(group, memberId, options), {
          durable: 'apart',
          // Records to answer at once: the commit waits for its flush, as a barrier would.
          flushWithCommit: (attempt) => (attempt as Attempt).response.records.length > 0,
          keyCheck: options.keyCheck,
        })
      : { result: await this.attempt(group, memberId, options), durable: Promise.resolve() };
    durable.catch(() => undefined); // awaited below, before the answer; not unhandled while it waits
    const response = await this.waitForRecords(group, memberId, options, result, since);
    await durable;
    return response;
  }

  /** After the first attempt: with nothing to hand out, the wait, then the next attempts. */
  private async waitForRecords(
    group: string,
    memberId: string,
    options: ShareFetchOptions,
    first: Attempt,
    firstSince: number,
  ): Promise<ShareFetchResult> {
    let since = firstSince;
    if (first.response.records.length > 0 || options.maxWaitMs <= 0) return first.response;
    const deadline = Date.now() + options.maxWaitMs;
    let last = first;
    /** A timed event (a delayed release, a lock running out) may have come due: look again. */
    let due = false;
    for (;;) {
      // Registered before the next attempt, so a change committed in between still wakes us; no
      // attempt at all when nothing it waits for changed since the last one began (the commit of
      // anything that attempt could not see is signalled after it began).
      const waiter = this.signal.waiter(last.waitKeys, options.timing);
      try {
        if (due || this.signal.changedSince(last.waitKeys, since)) {
          since = this.signal.version;
          due = false;
          last = await this.attempt(group, memberId, { ...options, acks: [] });
        }
        const remaining = deadline - Date.now();
        if (last.response.records.length > 0 || remaining <= 0 || this.signal.closed) break;
        // Also wake when a delayed release becomes available or a lock runs out.
        this.active--;
        try {
          const changed = await waiter.wait(
            last.nextEventInMs === null ? remaining : Math.max(1, Math.min(remaining, last.nextEventInMs)),
          );
          if (!changed) due = true;
        } finally {
          this.active++;
        }
      } finally {
        waiter.cancel();
      }
    }
    return { ...last.response, ackResults: first.response.ackResults };
  }

  private async attempt(group: string, memberId: string, options: ShareFetchOptions): Promise<Attempt> {
    const shortcut = await this.shortcuts.fetch(group, memberId, options);
    if (shortcut) return shortcut;
    // Acquisition alone is not flushed before the answer (Kafka does not persist it either):
    // lost in a crash, the records are available again with their last flushed delivery count.
    // The windows may be locked with the group's opening (PostgreSQL, see ShareShortcuts).
    const txOptions: ShareGroupOptions = {
      durable: options.acks.length > 0,
      keyCheck: options.keyCheck,
      ahead: this.shortcuts.lastLocks.ahead(group, memberId, options),
    };
    return this.coordinator.withGroup(...this.attemptIn(group, memberId, options), txOptions);
  }

  /** One look for records, acks applied first: the group, the missing-member error and the work. */
  private attemptIn(
    group: string,
    memberId: string,
    options: ShareFetchOptions,
  ): [string, () => Error, (tx: ShareGroupTransaction) => Promise<Attempt>] {
    return [
      group,
      () => new UnknownMemberError(group, memberId),
      async (tx) => {
        // The member must exist; a fetch in progress keeps it alive for its wait.
        await tx.touch(memberId, options.maxWaitMs);
        const { byMember, topics } = await tx.assignments();
        const assigned = byMember.get(memberId) ?? [];
        const only = options.partitions;
        const assignment = only
          ? assigned.filter((p) => only.some((q) => q.topic === p.topic && q.partition === p.partition))
          : assigned;
        if (options.acks.length === 0) this.shortcuts.lastLocks.note(group, memberId, tx.group.id, assignment, topics);
        await tx.lockInOrder([...options.acks, ...assignment]);
        const applied = await this.applyAcks(tx, memberId, options.acks, options.wholePartitionAcks);
        const ackResults = options.produceWith ? await options.produceWith(tx, applied) : applied;
        const { records, tokenInMs } = await acquireFor(tx, memberId, assignment, topics, {
          max: options.maxRecords,
          maxBytes: this.maxResponseBytes,
          rotation: this.rotation,
        });
        const waitKeys = [
          groupKey('share', tx.group.id),
          ...assignment.map((p) => appendKey(topics.get(p.topic)!.id, p.partition)),
        ];
        const nextEventInMs = records.length > 0 ? null : earliest(await tx.nextEventInMs(), tokenInMs);
        return { response: { records, ackResults }, waitKeys, nextEventInMs };
      },
    ];
  }

  /** Applies the acks grouped by share-partition, in order within each; answers one result per ack. */
  private async applyAcks(
    tx: ShareGroupTransaction,
    memberId: string,
    acks: Acknowledgement[],
    wholePartitions = false,
  ): Promise<AckResult[]> {
    const errors: (string | null)[] = new Array(acks.length).fill(ErrorCode.InvalidRecordState);
    const byPartition = new Map<string, number[]>();
    acks.forEach((ack, i) => {
      const key = `${ack.topic}\u0000${ack.partition}`;
      const indexes = byPartition.get(key);
      if (indexes) indexes.push(i);
      else byPartition.set(key, [i]);
    });
    const topics = await tx.topics(acks.map((a) => a.topic));
    for (const indexes of byPartition.values()) {
      const { topic: name, partition } = acks[indexes[0]];
      const topic = topics.get(name);
      const entries = indexes.map((i) => ({
        offset: acks[i].offset,
        lastOffset: acks[i].lastOffset ?? acks[i].offset,
        type: acks[i].type,
        delayMs: acks[i].delayMs,
        delivered: acks[i].delivered,
        reason: acks[i].reason,
        result: acks[i].result,
      }));
      // Unknown topic or partition, or never fetched: INVALID_RECORD_STATE.
      const results = topic ? await tx.acknowledge(topic, partition, memberId, entries, wholePartitions) : null;
      if (results) indexes.forEach((i, j) => (errors[i] = results[j]));
    }
    return acks.map((ack, i) => ({
      topic: ack.topic,
      partition: ack.partition,
      offset: ack.offset,
      ...(ack.lastOffset === undefined ? {} : { lastOffset: ack.lastOffset }),
      error: errors[i],
    }));
  }
}

function earliest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
