import { randomUUID } from 'node:crypto';
import {
  acceptsProtocols,
  fencedInstance,
  type GroupErrorName,
  KafkaGroupState,
  type KafkaMember,
  type KafkaProtocol,
  metadataFor,
  nextRoundCheck,
} from './domain/kafka-group.js';
import { kafkaGroupStore } from '../storage/kafka-group.store.js';
import type { KafkaGroupTransaction } from './kafka-group.transaction.js';

/*
 * The steps of JoinGroup and SyncGroup inside one transaction of a locked group: each answers
 * Kafka's outcome, or that the request must wait for other members (KafkaGroupService waits).
 */

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
  /** JoinGroup v5+: `group.instance.id`, a static member (null: dynamic). */
  groupInstanceId?: string | null;
}

export interface JoinAnswer {
  error: GroupErrorName;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** `groupInstanceId` only for static members. */
  members: { memberId: string; groupInstanceId?: string; metadata: Buffer }[];
}

export interface SyncAnswer {
  error: GroupErrorName;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

/** A join or sync that must wait for others: look again when woken or at `wakeAt`. */
export interface Waiting {
  waitFor: number;
  wakeAt: number;
}

export const isWaiting = <T extends object>(outcome: T | Waiting): outcome is Waiting => 'waitFor' in outcome;

/** A follower's SyncGroup looks again at least this often while the leader's is awaited. */
const FOLLOWER_RECHECK_MS = 1_000;

export function joinError(error: GroupErrorName, memberId: string): JoinAnswer {
  return { error, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

export function syncError(error: GroupErrorName): SyncAnswer {
  return { error, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

const sameProtocols = (a: KafkaProtocol[], b: KafkaProtocol[]) =>
  a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));

type JoinWaiting = Waiting & { memberId: string };

/** A JoinGroup's first transaction: the member registered, a round opened or joined. */
export async function register(tx: KafkaGroupTransaction, join: KafkaJoin): Promise<JoinAnswer | JoinWaiting> {
  if ((await kafkaGroupStore.httpMemberCount(tx.sql, tx.group.id)) > 0)
    return joinError('INCONSISTENT_GROUP_PROTOCOL', join.memberId);
  if (!acceptsProtocols(tx.kafka, tx.members, join.protocolType, join.protocols))
    return joinError('INCONSISTENT_GROUP_PROTOCOL', join.memberId);
  const instanceId = join.groupInstanceId ?? null;
  let member: KafkaMember | undefined;
  if (join.memberId === '' && instanceId !== null) {
    // Static membership (KIP-345): no MEMBER_ID_REQUIRED; a known instance id is the same member back.
    const known = tx.joined.find((m) => m.groupInstanceId === instanceId);
    if (known) return rejoinStatic(tx, known, join);
    member = { ...newMember(`${instanceId}-${randomUUID()}`, join, tx.now), pending: false };
  } else if (join.memberId === '') {
    member = newMember(`${join.clientId || 'member'}-${randomUUID()}`, join, tx.now);
    if (join.requireKnownMemberId) {
      await tx.saveMember(member);
      return joinError('MEMBER_ID_REQUIRED', member.memberId);
    }
  } else {
    if (fencedInstance(tx.members, join.memberId, instanceId)) return joinError('FENCED_INSTANCE_ID', join.memberId);
    member = tx.member(join.memberId);
    if (!member) return joinError('UNKNOWN_MEMBER_ID', join.memberId);
  }
  return enter(tx, member, join);
}

/**
 * A static member back with its instance id and no member id (a restarted consumer): the old
 * member id is fenced and this one takes its place. In a Stable group whose protocol it still
 * supports it gets the current generation at once — no rebalance; otherwise it joins the round.
 */
async function rejoinStatic(
  tx: KafkaGroupTransaction,
  known: KafkaMember,
  join: KafkaJoin,
): Promise<JoinAnswer | JoinWaiting> {
  await tx.renameMember(known, `${join.groupInstanceId}-${randomUUID()}`);
  const keepsProtocol = join.protocols.some((p) => p.name === tx.kafka.protocolName);
  if (tx.kafka.state === KafkaGroupState.Stable && keepsProtocol && join.protocolType === known.protocolType) {
    Object.assign(known, { ...joinedAs(join), expiresAt: tx.now + join.sessionTimeoutMs });
    await tx.saveMember(known);
    return answer(tx, known);
  }
  return enter(tx, known, join);
}

/** The member (re)joins the round: it waits for the round's end, or is answered at once when nothing changed. */
async function enter(
  tx: KafkaGroupTransaction,
  member: KafkaMember,
  join: KafkaJoin,
): Promise<JoinAnswer | JoinWaiting> {
  const isNew = member.pending || !tx.members.includes(member);
  const unchanged = !isNew && sameProtocols(member.protocols, join.protocols);
  Object.assign(member, {
    ...joinedAs(join),
    protocolType: join.protocolType,
    pending: false,
    groupInstanceId: join.groupInstanceId ?? null,
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

/** What a join tells of its member: its client, timeouts and protocols. */
function joinedAs(join: KafkaJoin) {
  const { clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, protocols } = join;
  return { clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, protocols };
}

function newMember(memberId: string, join: KafkaJoin, now: number): KafkaMember {
  return {
    memberId,
    groupInstanceId: join.groupInstanceId ?? null,
    ...joinedAs(join),
    protocolType: join.protocolType,
    pending: true,
    awaitingJoin: false,
    generation: 0,
    assignment: null,
    expiresAt: now + join.sessionTimeoutMs,
  };
}

/** Where a registered join stands: still awaiting the round's end, answered, or gone. */
export async function joinOutcome(
  tx: KafkaGroupTransaction,
  memberId: string,
  groupInstanceId: string | null = null,
): Promise<JoinAnswer | JoinWaiting> {
  // Replaced by a rejoin with its instance id while it waited: fenced, as Kafka answers it.
  if (fencedInstance(tx.members, memberId, groupInstanceId)) return joinError('FENCED_INSTANCE_ID', memberId);
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
          .map((m) => ({
            memberId: m.memberId,
            ...(m.groupInstanceId ? { groupInstanceId: m.groupInstanceId } : {}),
            metadata: metadataFor(m, tx.kafka.protocolName),
          }))
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
export async function syncOutcome(
  tx: KafkaGroupTransaction,
  memberId: string,
  generationId: number,
  protocol: { type: string | null; name: string | null },
  assignments: { memberId: string; assignment: Buffer }[],
  groupInstanceId: string | null = null,
): Promise<SyncAnswer | Waiting> {
  if (fencedInstance(tx.members, memberId, groupInstanceId)) return syncError('FENCED_INSTANCE_ID');
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
      if (memberId !== tx.kafka.leaderId) return { waitFor: tx.group.id, wakeAt: tx.now + FOLLOWER_RECHECK_MS };
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
