import {
  type KafkaGroup,
  KafkaGroupState,
  type KafkaMember,
  roundCanComplete,
  selectProtocol,
} from './domain/kafka-group.js';
import { assignedPartitions } from './domain/consumer-protocol.js';
import type { ConsumerGroup } from '../../consumer-groups/domain/consumer-group.js';
import { consumerGroupStore } from '../../consumer-groups/storage/consumer-group.store.js';
import type { Sql } from '../../storage/database.js';
import { kafkaGroupStore as store } from '../storage/kafka-group.store.js';
import { topicStore } from '../../log/storage/topic.store.js';

const EMPTY: KafkaGroup = {
  state: KafkaGroupState.Empty,
  protocolType: null,
  protocolName: null,
  leaderId: null,
  rebalanceDeadline: null,
  joinNotBefore: null,
};

/**
 * One Kafka group locked for one transaction (its consumer-group row held), with its members
 * as of `now`: the rebalance state machine's transitions, each written through at once.
 */
export class KafkaGroupTransaction {
  /** Membership, state or assignment changed: waiting joins and syncs are woken after the commit. */
  changed = false;
  readonly kafka: KafkaGroup;

  constructor(
    readonly sql: Sql,
    readonly group: ConsumerGroup,
    kafka: KafkaGroup | null,
    public members: KafkaMember[],
    readonly now: number,
    private readonly initialDelayMs: number,
  ) {
    this.kafka = kafka ?? { ...EMPTY };
  }

  get generation(): number {
    return this.group.generation;
  }

  /** Members that joined (not those only handed an id). */
  get joined(): KafkaMember[] {
    return this.members.filter((m) => !m.pending);
  }

  member(memberId: string): KafkaMember | undefined {
    return this.members.find((m) => m.memberId === memberId);
  }

  async saveMember(member: KafkaMember): Promise<void> {
    if (!this.members.includes(member)) this.members.push(member);
    await store.saveMember(this.sql, this.group.id, member);
  }

  /** A static member rejoined without its id: it takes a new one, keeping its place, generation and assignment. */
  async renameMember(member: KafkaMember, memberId: string): Promise<void> {
    const previous = member.memberId;
    await store.renameMember(this.sql, this.group.id, previous, memberId);
    member.memberId = memberId;
    if (this.kafka.leaderId === previous) {
      this.kafka.leaderId = memberId;
      await this.save();
    }
    this.changed = true;
  }

  async touch(member: KafkaMember): Promise<void> {
    member.expiresAt = this.now + member.sessionTimeoutMs;
    await store.touchMember(this.sql, this.group.id, member.memberId, member.expiresAt);
  }

  /** Removes members (left or expired); a joined one leaving opens a round, which may then end. */
  async removeMembers(memberIds: string[]): Promise<void> {
    let rebalance = false;
    for (const memberId of memberIds) {
      const member = this.member(memberId);
      if (!member) continue;
      await store.removeMember(this.sql, this.group.id, memberId);
      this.members = this.members.filter((m) => m !== member);
      rebalance ||= !member.pending;
      this.changed = true;
    }
    if (rebalance) await this.openRound();
    await this.completeRoundIfDue();
  }

  /** Members whose session ran out; a member awaiting the end of a round is kept until its deadline. */
  async expire(): Promise<void> {
    await this.removeMembers(
      this.members.filter((m) => !m.awaitingJoin && m.expiresAt < this.now).map((m) => m.memberId),
    );
  }

  /** Opens a join round (PreparingRebalance), unless one is open. From Empty, waits the initial delay. */
  async openRound(): Promise<void> {
    if (this.kafka.state === KafkaGroupState.PreparingRebalance) return;
    const fromEmpty = this.kafka.state === KafkaGroupState.Empty;
    const timeout = Math.max(0, ...this.joined.map((m) => m.rebalanceTimeoutMs));
    this.kafka.state = KafkaGroupState.PreparingRebalance;
    this.kafka.rebalanceDeadline = this.now + timeout;
    this.kafka.joinNotBefore = fromEmpty ? this.now + Math.min(this.initialDelayMs, timeout) : null;
    this.changed = true;
    await this.save();
  }

  /** A new member arriving while an empty group's first round waits: the wait starts again (to the deadline). */
  async extendInitialDelay(): Promise<void> {
    const { joinNotBefore, rebalanceDeadline } = this.kafka;
    if (joinNotBefore === null || rebalanceDeadline === null || this.now >= joinNotBefore) return;
    this.kafka.joinNotBefore = Math.min(this.now + this.initialDelayMs, rebalanceDeadline);
    await this.save();
  }

  /**
   * Ends the open round when every member rejoined or its deadline passed: those that did not
   * rejoin are removed, the generation moves on, a protocol and a leader are chosen, and the
   * leader's SyncGroup is awaited — or the group is empty.
   */
  async completeRoundIfDue(): Promise<void> {
    if (!roundCanComplete(this.kafka, this.members, this.now)) return;
    for (const gone of this.members.filter((m) => !m.awaitingJoin)) {
      await store.removeMember(this.sql, this.group.id, gone.memberId);
    }
    this.members = this.members.filter((m) => m.awaitingJoin);
    this.group.generation += 1;
    await consumerGroupStore.update(this.sql, this.group);
    const previousLeader = this.kafka.leaderId;
    Object.assign(this.kafka, { rebalanceDeadline: null, joinNotBefore: null });
    if (this.members.length === 0) {
      Object.assign(this.kafka, { state: KafkaGroupState.Empty, protocolName: null, leaderId: null });
    } else {
      this.kafka.state = KafkaGroupState.CompletingRebalance;
      this.kafka.protocolType = this.members[0].protocolType;
      this.kafka.protocolName = selectProtocol(this.members);
      this.kafka.leaderId = this.member(previousLeader ?? '')?.memberId ?? this.members[0].memberId;
      for (const member of this.members) {
        Object.assign(member, { awaitingJoin: false, generation: this.group.generation, assignment: null });
        member.expiresAt = this.now + member.sessionTimeoutMs;
        await store.saveMember(this.sql, this.group.id, member);
      }
    }
    await store.showAssignment(this.sql, this.group.id, []);
    await this.save();
    this.changed = true;
  }

  /** The leader's SyncGroup: every member's assignment is stored and the group is Stable. */
  async completeSync(assignments: { memberId: string; assignment: Buffer }[]): Promise<void> {
    const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const member of this.members.filter((m) => !m.pending)) {
      member.assignment = given.get(member.memberId) ?? Buffer.alloc(0);
      await store.saveMember(this.sql, this.group.id, member);
    }
    this.kafka.state = KafkaGroupState.Stable;
    await this.save();
    await this.showAssignment();
    this.changed = true;
  }

  /** Marks the group as Kafka's (an offset commit from outside any generation, on a group with no members). */
  async markKafka(): Promise<void> {
    await this.save();
  }

  private async showAssignment(): Promise<void> {
    if (this.kafka.protocolType !== 'consumer') return;
    const wanted = this.joined.flatMap((m) =>
      assignedPartitions(m.assignment).flatMap((a) => a.partitions.map((p) => ({ ...a, p, memberId: m.memberId }))),
    );
    const names = [...new Set(wanted.map((w) => w.topic))];
    const topics = new Map(
      (names.length === 0 ? [] : await topicStore.findByNames(this.sql, names)).map((t) => [t.name, t]),
    );
    const rows = wanted
      .filter((w) => w.p >= 0 && w.p < (topics.get(w.topic)?.partitionCount ?? 0))
      .map((w) => ({ topicId: topics.get(w.topic)!.id, partition: w.p, memberId: w.memberId }));
    await store.showAssignment(this.sql, this.group.id, rows);
  }

  private save(): Promise<void> {
    return store.save(this.sql, this.group.id, this.kafka);
  }
}
