import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChangeSignal, groupKey } from '../../platform/change-signal.js';
import { type Clock, CLOCK } from '../../platform/clock.js';
import { UnknownGroupError } from '../../platform/errors/index.js';
import {
  fencedInstance,
  type GroupErrorName,
  KafkaGroupState,
  MAX_KAFKA_SESSION_TIMEOUT_MS,
  MIN_KAFKA_SESSION_TIMEOUT_MS,
} from './domain/kafka-group.js';
import { KafkaGroupCoordinator } from './kafka-group.coordinator.js';
import {
  isWaiting,
  type JoinAnswer,
  joinError,
  joinOutcome,
  type KafkaJoin,
  register,
  type SyncAnswer,
  syncError,
  syncOutcome,
  type Waiting,
} from './kafka-group.steps.js';
import type { KafkaGroupTransaction } from './kafka-group.transaction.js';
import { MAX_GROUP_LOOK_MS } from '../../platform/limits.js';

export type { JoinAnswer, KafkaJoin, SyncAnswer } from './kafka-group.steps.js';

/** Real-time bounds of one wait between two looks (the clock may be a test's manual one). */
const MIN_WAIT_MS = 5;
/** How long a follower's SyncGroup waits for the leader's before it is told to rejoin (a client's request timeout). */
const SYNC_WAIT_LIMIT_MS = 25_000;

/**
 * Kafka's classic group protocol over Shoal's consumer groups, with client-side assignment:
 * JoinGroup rounds (every known member rejoins, or the rebalance timeout removes the rest),
 * a leader and a protocol chosen per generation, SyncGroup handing out the leader's
 * assignment, heartbeats that tell members to rejoin, and LeaveGroup. Joins and syncs that
 * must wait for other members wait between transactions, woken by the group's change signal.
 */
@Injectable()
export class KafkaGroupService {
  private readonly logger = new Logger(KafkaGroupService.name);

  constructor(
    private readonly coordinator: KafkaGroupCoordinator,
    private readonly signal: ChangeSignal,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async join(group: string, join: KafkaJoin): Promise<JoinAnswer> {
    const refused = (error: GroupErrorName) => joinError(error, join.memberId);
    if (group === '') return refused('INVALID_GROUP_ID');
    if (join.sessionTimeoutMs < MIN_KAFKA_SESSION_TIMEOUT_MS || join.sessionTimeoutMs > MAX_KAFKA_SESSION_TIMEOUT_MS)
      return refused('INVALID_SESSION_TIMEOUT');
    const request = {
      ...join,
      rebalanceTimeoutMs: join.rebalanceTimeoutMs < 0 ? join.sessionTimeoutMs : join.rebalanceTimeoutMs,
    };
    const first = await this.coordinator.withGroup(
      group,
      () => new UnknownGroupError(group),
      (tx) => register(tx, request),
      {
        create: true,
        membership: true,
      },
    );
    const memberId = first.memberId;
    const answer = await this.awaitOutcome<JoinAnswer>(group, first, request.rebalanceTimeoutMs, (tx) =>
      joinOutcome(tx, memberId, request.groupInstanceId ?? null),
    );
    if (answer === null) return refused('REBALANCE_IN_PROGRESS');
    if (answer.error === 'NONE')
      this.logger.log(
        `member ${answer.memberId} joined Kafka group ${group} (generation ${answer.generationId}${answer.leader === answer.memberId ? ', leader' : ''})`,
      );
    return answer;
  }

  async sync(
    group: string,
    memberId: string,
    generationId: number,
    protocol: { type: string | null; name: string | null },
    assignments: { memberId: string; assignment: Buffer }[],
    groupInstanceId: string | null = null,
  ): Promise<SyncAnswer> {
    const first = await this.coordinator
      .withGroup(
        group,
        () => new UnknownGroupError(group),
        (tx) => syncOutcome(tx, memberId, generationId, protocol, assignments, groupInstanceId),
        { create: false },
      )
      .catch((error: unknown) => {
        if (error instanceof UnknownGroupError) return syncError('UNKNOWN_MEMBER_ID');
        throw error;
      });
    const answer = await this.awaitOutcome<SyncAnswer>(group, first, SYNC_WAIT_LIMIT_MS, (tx) =>
      syncOutcome(tx, memberId, generationId, protocol, [], groupInstanceId),
    );
    return answer ?? syncError('REBALANCE_IN_PROGRESS');
  }

  async heartbeat(
    group: string,
    memberId: string,
    generationId: number,
    groupInstanceId: string | null = null,
  ): Promise<GroupErrorName> {
    return this.inGroup(group, async (tx) => {
      if (fencedInstance(tx.members, memberId, groupInstanceId)) return 'FENCED_INSTANCE_ID';
      const member = tx.member(memberId);
      if (!member) return 'UNKNOWN_MEMBER_ID';
      await tx.touch(member);
      if (member.pending) return 'NONE';
      if (generationId !== tx.generation) return 'ILLEGAL_GENERATION';
      if (tx.kafka.state === KafkaGroupState.PreparingRebalance) return 'REBALANCE_IN_PROGRESS';
      if (tx.kafka.state === KafkaGroupState.Empty) return 'UNKNOWN_MEMBER_ID';
      return 'NONE';
    });
  }

  /**
   * Each member's own answer; an unknown one is UNKNOWN_MEMBER_ID, the others still leave. A
   * static member may be named by its instance id alone (member id ""); a member id that is not
   * the one holding the instance id is FENCED_INSTANCE_ID.
   */
  async leave(
    group: string,
    leaving: (string | { memberId: string; groupInstanceId: string | null })[],
  ): Promise<GroupErrorName[]> {
    const named = leaving.map((m) => (typeof m === 'string' ? { memberId: m, groupInstanceId: null } : m));
    const memberIds = named.map((m) => m.memberId);
    const answers = await this.inGroup(group, async (tx) => {
      const errors = named.map(({ memberId, groupInstanceId }, i): GroupErrorName => {
        const holder =
          groupInstanceId === null ? undefined : tx.joined.find((m) => m.groupInstanceId === groupInstanceId);
        if (memberId === '' && holder) memberIds[i] = holder.memberId;
        else if (fencedInstance(tx.members, memberId, groupInstanceId)) return 'FENCED_INSTANCE_ID';
        return tx.member(memberIds[i]) ? 'NONE' : 'UNKNOWN_MEMBER_ID';
      });
      await tx.removeMembers(memberIds.filter((_, i) => errors[i] === 'NONE'));
      return errors;
    });
    if (typeof answers === 'string') return memberIds.map(() => answers);
    for (const [i, id] of memberIds.entries())
      if (answers[i] === 'NONE') this.logger.log(`member ${id} left Kafka group ${group}`);
    return answers;
  }

  /** A group that does not exist answers UNKNOWN_MEMBER_ID, as Kafka's coordinator does. */
  private async inGroup<T>(
    group: string,
    work: (tx: KafkaGroupTransaction) => Promise<T>,
  ): Promise<T | GroupErrorName> {
    try {
      return await this.coordinator.withGroup(group, () => new UnknownGroupError(group), work, { membership: true });
    } catch (error) {
      if (error instanceof UnknownGroupError) return 'UNKNOWN_MEMBER_ID';
      throw error;
    }
  }

  /**
   * Waits until `look` answers: each look runs in its own transaction after a waiter on the
   * group is registered, so a change between two looks is never missed. Null when shutdown
   * began or `limitMs` of real time passed.
   */
  private async awaitOutcome<T extends object>(
    group: string,
    first: T | Waiting,
    limitMs: number,
    look: (tx: KafkaGroupTransaction) => Promise<T | Waiting>,
  ): Promise<T | null> {
    let outcome = first;
    const giveUpAt = Date.now() + limitMs + 5_000;
    while (isWaiting(outcome)) {
      if (this.signal.closed || Date.now() > giveUpAt) return null;
      const waiter = this.signal.waiter([groupKey('consumer', outcome.waitFor)]);
      try {
        outcome = await this.coordinator.withGroup(group, () => new UnknownGroupError(group), look);
        if (!isWaiting(outcome)) break;
        const ms = Math.min(MAX_GROUP_LOOK_MS, Math.max(MIN_WAIT_MS, outcome.wakeAt - this.clock.now()));
        await waiter.wait(ms);
      } catch (error) {
        if (error instanceof UnknownGroupError) return null;
        throw error;
      } finally {
        waiter.cancel();
      }
    }
    return outcome;
  }
}
