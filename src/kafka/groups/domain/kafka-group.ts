/** The states of a classic Kafka group, with Kafka's own names (DescribeGroups answers them). */
export enum KafkaGroupState {
  Empty = 'Empty',
  /** A join round is open: members rejoin until all have, or the rebalance timeout passes. */
  PreparingRebalance = 'PreparingRebalance',
  /** The round is over: the leader's SyncGroup with the assignment is awaited. */
  CompletingRebalance = 'CompletingRebalance',
  Stable = 'Stable',
}

/** A consumer group run by Kafka's classic protocol: its generation is the consumer group's. */
export interface KafkaGroup {
  state: KafkaGroupState;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  /** While a round is open: when members that have not rejoined are removed. */
  rebalanceDeadline: number | null;
  /** A round opened on an empty group waits this long for more members (Kafka's initial rebalance delay). */
  joinNotBefore: number | null;
}

export interface KafkaProtocol {
  name: string;
  metadata: Buffer;
}

export interface KafkaMember {
  memberId: string;
  /** Static membership (`group.instance.id`, JoinGroup v5+); null or absent for a dynamic member. */
  groupInstanceId?: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: KafkaProtocol[];
  /** Handed an id by MEMBER_ID_REQUIRED, not joined with it yet. */
  pending: boolean;
  /** Its JoinGroup of the open round arrived and is not answered yet. */
  awaitingJoin: boolean;
  /** The generation of the round it last joined. */
  generation: number;
  /** What the leader's SyncGroup gave it in that generation. */
  assignment: Buffer | null;
  expiresAt: number;
}

/** Kafka's error names (`Errors` in Kafka) that the group operations answer with. */
export type GroupErrorName =
  | 'NONE'
  | 'UNKNOWN_MEMBER_ID'
  | 'ILLEGAL_GENERATION'
  | 'REBALANCE_IN_PROGRESS'
  | 'MEMBER_ID_REQUIRED'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'INVALID_SESSION_TIMEOUT'
  | 'INVALID_GROUP_ID'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'GROUP_MAX_SIZE_REACHED'
  | 'OFFSET_METADATA_TOO_LARGE'
  | 'FENCED_INSTANCE_ID';

/** The session timeouts a Kafka member may ask for (the HTTP members' bounds). */
export const MIN_KAFKA_SESSION_TIMEOUT_MS = 1_000;
export const MAX_KAFKA_SESSION_TIMEOUT_MS = 3_600_000;
/** Kafka's `group.initial.rebalance.delay.ms` default. */
export const DEFAULT_INITIAL_REBALANCE_DELAY_MS = 3_000;

/** A join can enter the group: same protocol type and at least one protocol every member supports. */
export function acceptsProtocols(
  group: KafkaGroup,
  members: readonly KafkaMember[],
  protocolType: string,
  protocols: readonly KafkaProtocol[],
): boolean {
  if (protocols.length === 0 || protocolType === '') return false;
  const others = members.filter((m) => !m.pending);
  if (others.length === 0) return true;
  if (group.protocolType !== null && group.protocolType !== protocolType) return false;
  return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
}

/**
 * Kafka's choice: among the protocols every member supports, each member votes for the first
 * of them in its own order of preference; the most votes win (ties: the first member's order).
 */
export function selectProtocol(members: readonly KafkaMember[]): string | null {
  if (members.length === 0) return null;
  const common = members[0].protocols
    .map((p) => p.name)
    .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  if (common.length === 0) return null;
  const votes = new Map(common.map((name) => [name, 0]));
  for (const member of members) {
    const vote = member.protocols.find((p) => votes.has(p.name))!.name;
    votes.set(vote, votes.get(vote)! + 1);
  }
  return common.reduce((best, name) => (votes.get(name)! > votes.get(best)! ? name : best));
}

/** The metadata a member gave for `protocol` (empty when it gave none). */
export function metadataFor(member: KafkaMember, protocol: string | null): Buffer {
  return member.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
}

/** An open round ends when every known member has rejoined, or when its deadline passed. */
export function roundCanComplete(group: KafkaGroup, members: readonly KafkaMember[], now: number): boolean {
  if (group.state !== KafkaGroupState.PreparingRebalance) return false;
  if (group.joinNotBefore !== null && now < group.joinNotBefore) return false;
  if (group.rebalanceDeadline !== null && now >= group.rebalanceDeadline) return true;
  return members.every((m) => m.awaitingJoin);
}

/** When a waiting join should look again: the end of the initial delay, else the round's deadline. */
export function nextRoundCheck(group: KafkaGroup, now: number): number {
  if (group.joinNotBefore !== null && now < group.joinNotBefore) return group.joinNotBefore;
  return group.rebalanceDeadline ?? now;
}

/** HTTP describe's and the group lists' words for Kafka's states. */
export function describedState(state: KafkaGroupState): 'empty' | 'stable' | 'reconciling' {
  if (state === KafkaGroupState.Empty) return 'empty';
  return state === KafkaGroupState.Stable ? 'stable' : 'reconciling';
}

/**
 * Kafka's static-member check for a request that names a `group.instance.id`: another member
 * holds that instance id (the caller was replaced by a rejoin with it) → FENCED_INSTANCE_ID.
 */
export function fencedInstance(
  members: KafkaMember[],
  memberId: string,
  groupInstanceId: string | null | undefined,
): boolean {
  if (groupInstanceId === null || groupInstanceId === undefined) return false;
  const holder = members.find((m) => !m.pending && m.groupInstanceId === groupInstanceId);
  return holder !== undefined && holder.memberId !== memberId;
}
