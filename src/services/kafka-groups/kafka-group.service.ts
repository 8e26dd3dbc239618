import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChangeSignal, groupKey } from '../../common/change-signal.js';
import { type Clock, CLOCK } from '../../domain/clock.js';
import { UnknownGroupError } from '../../domain/errors/index.js';
import {
  acceptsProtocols,
  type GroupErrorName,
  KafkaGroupState,
  type KafkaMember,
  type KafkaProtocol,
  MAX_KAFKA_SESSION_TIMEOUT_MS,
  metadataFor,
  MIN_KAFKA_SESSION_TIMEOUT_MS,
  nextRoundCheck,
} from '../../domain/kafka-group/kafka-group.js';
import { kafkaGroupStore } from '../../storage/kafka-group.store.js';
import { KafkaGroupCoordinator } from './kafka-group.coordinator.js';
import type { KafkaGroupTransaction } from './kafka-group.transaction.js';

/** A JoinGroup, as the handler read it. */
export interface KafkaJoin {
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** -1 (JoinGroup v0): the session timeout. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: KafkaProtocol[];
  /** JoinGroup v4+: a member without an id is handed one by MEMBER_ID_REQUIRED and joins again with it. */
  requireKnownMemberId: boolean;
}

export interface JoinAnswer {
  error: GroupErrorName;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

export interface SyncAnswer {
  error: GroupErrorName;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

/** A join or sync that must wait for others: look again when woken or at `wakeAt`. */
interface Waiting {
  waitFor: number;
  wakeAt: number;
}

const isWaiting = <T extends object>(outcome: T | Waiting): outcome is Waiting => 'waitFor' in outcome;

/** Real-time bounds of one wait between two looks (the clock may be a test's manual one). */
const MIN_WAIT_MS = 5;
const MAX_WAIT_MS = 1_000;
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
      joinOutcome(tx, memberId),
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
  ): Promise<SyncAnswer> {
    const first = await this.coordinator
      .withGroup(
        group,
        () => new UnknownGroupError(group),
        (tx) => syncOutcome(tx, memberId, generationId, protocol, assignments),
        { create: false },
      )
      .catch((error: unknown) => {
        if (error instanceof UnknownGroupError) return syncError('UNKNOWN_MEMBER_ID');
        throw error;
      });
    const answer = await this.awaitOutcome<SyncAnswer>(group, first, SYNC_WAIT_LIMIT_MS, (tx) =>
      syncOutcome(tx, memberId, generationId, protocol, []),
    );
    return answer ?? syncError('REBALANCE_IN_PROGRESS');
  }

  async heartbeat(group: string, memberId: string, generationId: number): Promise<GroupErrorName> {
    return this.inGroup(group, async (tx) => {
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

  /** Each member's own answer; an unknown one is UNKNOWN_MEMBER_ID, the others still leave. */
  async leave(group: string, memberIds: string[]): Promise<GroupErrorName[]> {
    const answers = await this.inGroup(group, async (tx) => {
      const errors = memberIds.map((id): GroupErrorName => (tx.member(id) ? 'NONE' : 'UNKNOWN_MEMBER_ID'));
      await tx.removeMembers(memberIds);
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
        const ms = Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, outcome.wakeAt - this.clock.now()));
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

function joinError(error: GroupErrorName, memberId: string): JoinAnswer {
  return { error, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function syncError(error: GroupErrorName): SyncAnswer {
  return { error, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

const sameProtocols = (a: KafkaProtocol[], b: KafkaProtocol[]) =>
  a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));

type JoinWaiting = Waiting & { memberId: string };

/** A JoinGroup's first transaction: the member registered, a round opened or joined. */
async function register(tx: KafkaGroupTransaction, join: KafkaJoin): Promise<JoinAnswer | JoinWaiting> {
  if ((await kafkaGroupStore.httpMemberCount(tx.sql, tx.group.id)) > 0)
    return joinError('INCONSISTENT_GROUP_PROTOCOL', join.memberId);
  if (!acceptsProtocols(tx.kafka, tx.members, join.protocolType, join.protocols))
    return joinError('INCONSISTENT_GROUP_PROTOCOL', join.memberId);
  let member: KafkaMember | undefined;
  if (join.memberId === '') {
    member = newMember(`${join.clientId || 'member'}-${randomUUID()}`, join, tx.now);
    if (join.requireKnownMemberId) {
      await tx.saveMember(member);
      return joinError('MEMBER_ID_REQUIRED', member.memberId);
    }
  } else {
    member = tx.member(join.memberId);
    if (!member) return joinError('UNKNOWN_MEMBER_ID', join.memberId);
  }
  const isNew = member.pending || !tx.members.includes(member);
  const unchanged = !isNew && sameProtocols(member.protocols, join.protocols);
  Object.assign(member, {
    clientId: join.clientId,
    clientHost: join.clientHost,
    sessionTimeoutMs: join.sessionTimeoutMs,
    rebalanceTimeoutMs: join.rebalanceTimeoutMs,
    protocolType: join.protocolType,
    protocols: join.protocols,
    pending: false,
  });
  const settled = tx.kafka.state === KafkaGroupState.Stable || tx.kafka.state === KafkaGroupState.CompletingRebalance;
  if (unchanged && settled && member.memberId !== tx.kafka.leaderId && member.generation === tx.generation) {
    // A follower joining again with what it had: Kafka answers the current generation at once.
    member.expiresAt = tx.now + member.sessionTimeoutMs;
    await tx.saveMember(member);
    return answer(tx, member);
  }
  member.awaitingJoin = true;
  member.expiresAt = tx.now + member.sessionTimeoutMs;
  await tx.saveMember(member);
  const roundWasOpen = tx.kafka.state === KafkaGroupState.PreparingRebalance;
  await tx.openRound();
  if (isNew && roundWasOpen) await tx.extendInitialDelay();
  await tx.completeRoundIfDue();
  return joinOutcome(tx, member.memberId);
}

function newMember(memberId: string, join: KafkaJoin, now: number): KafkaMember {
  return {
    memberId,
    clientId: join.clientId,
    clientHost: join.clientHost,
    sessionTimeoutMs: join.sessionTimeoutMs,
    rebalanceTimeoutMs: join.rebalanceTimeoutMs,
    protocolType: join.protocolType,
    protocols: join.protocols,
    pending: true,
    awaitingJoin: false,
    generation: 0,
    assignment: null,
    expiresAt: now + join.sessionTimeoutMs,
  };
}

/** Where a registered join stands: still awaiting the round's end, answered, or gone. */
async function joinOutcome(tx: KafkaGroupTransaction, memberId: string): Promise<JoinAnswer | JoinWaiting> {
  const member = tx.member(memberId);
  if (!member || member.pending) return joinError('UNKNOWN_MEMBER_ID', memberId);
  if (member.awaitingJoin) return { waitFor: tx.group.id, wakeAt: nextRoundCheck(tx.kafka, tx.now), memberId };
  return answer(tx, member);
}

/** The join answer of a generation; the leader gets every member's metadata for the chosen protocol. */
function answer(tx: KafkaGroupTransaction, member: KafkaMember): JoinAnswer {
  const leader = tx.kafka.leaderId ?? '';
  const members =
    member.memberId === leader
      ? tx.joined
          .filter((m) => m.generation === member.generation)
          .map((m) => ({ memberId: m.memberId, metadata: metadataFor(m, tx.kafka.protocolName) }))
      : [];
  return {
    error: 'NONE',
    generationId: member.generation,
    protocolType: tx.kafka.protocolType,
    protocolName: tx.kafka.protocolName,
    leader,
    memberId: member.memberId,
    members,
  };
}

/** SyncGroup: the leader's assignment is stored; a follower waits for it. */
async function syncOutcome(
  tx: KafkaGroupTransaction,
  memberId: string,
  generationId: number,
  protocol: { type: string | null; name: string | null },
  assignments: { memberId: string; assignment: Buffer }[],
): Promise<SyncAnswer | Waiting> {
  const member = tx.member(memberId);
  if (!member || member.pending) return syncError('UNKNOWN_MEMBER_ID');
  if (generationId !== tx.generation) return syncError('ILLEGAL_GENERATION');
  if (
    (protocol.type !== null && protocol.type !== tx.kafka.protocolType) ||
    (protocol.name !== null && protocol.name !== tx.kafka.protocolName)
  )
    return syncError('INCONSISTENT_GROUP_PROTOCOL');
  await tx.touch(member);
  switch (tx.kafka.state) {
    case KafkaGroupState.Empty:
      return syncError('UNKNOWN_MEMBER_ID');
    case KafkaGroupState.PreparingRebalance:
      return syncError('REBALANCE_IN_PROGRESS');
    case KafkaGroupState.CompletingRebalance:
      if (memberId !== tx.kafka.leaderId) return { waitFor: tx.group.id, wakeAt: tx.now + MAX_WAIT_MS };
      await tx.completeSync(assignments);
      break;
    case KafkaGroupState.Stable:
      break;
  }
  return {
    error: 'NONE',
    protocolType: tx.kafka.protocolType,
    protocolName: tx.kafka.protocolName,
    assignment: member.assignment ?? Buffer.alloc(0),
  };
}
