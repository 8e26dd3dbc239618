import type { TopicPartition } from '@shoal/protocol';
import type { Topic } from '../log/domain/topic.js';
import type { ShareGroupOptions } from './share-group.coordinator.js';

/** Members remembered at most; past that the memory starts afresh (a fetch then locks in a round trip of its own). */
const MAX_MEMBERS = 10_000;

interface Assignment {
  groupId: number;
  /** The member's partitions in its assignment's order (which the fetch's rotation walks). */
  partitions: { topicId: number; partition: number; topic: string }[];
  /** The group's members and topics this assignment was made from, as `shoal_share_fetch_next` spells them. */
  seen?: string;
}

/** A member's one partition, and the group as it was when that was its assignment (see LastLocks.single). */
export interface SinglePartition {
  groupId: number;
  topicId: number;
  topic: string;
  partition: number;
  seen: string;
}

/**
 * Each member's assignment as its last fetch without acks found it, so that its next such fetch
 * sends the share-partitions' lock — and the read of the next records of the partition it will
 * fill from first — with the group's opening, in one round trip (PostgreSQL; see WindowsAhead),
 * or, for a member with one partition, the whole fetch in one statement (`fetchNext`). Guesses:
 * a transaction uses what it locked ahead only if the group and the windows it then locks are
 * the ones guessed, and `shoal_share_fetch_next` acts only if the group's members and topics are
 * still those the assignment was made from.
 */
export class LastLocks {
  private readonly byMember = new Map<string, Assignment>();
  /** What the last `fetchNext` that did nothing saw, for the assignment the usual fetch right after notes. */
  private readonly seenBefore = new Map<string, string>();

  /** `rotation`: the share fetch's next starting partition per member. */
  constructor(private readonly rotation: ReadonlyMap<string, number>) {}

  note(
    group: string,
    memberId: string,
    groupId: number,
    assignment: TopicPartition[],
    topics: Map<string, Topic>,
  ): void {
    const key = `${group}\u0000${memberId}`;
    const partitions = assignment.map((p) => ({
      topicId: topics.get(p.topic)!.id,
      partition: p.partition,
      topic: p.topic,
    }));
    if (this.byMember.size >= MAX_MEMBERS) this.byMember.clear();
    const seen = this.seenBefore.get(key);
    this.seenBefore.delete(key);
    this.byMember.set(key, { groupId, partitions, seen });
  }

  /** A `fetchNext` did nothing; it saw the group as `seen` (null: not at all). */
  sawBefore(group: string, memberId: string, seen: string | null): void {
    const key = `${group}\u0000${memberId}`;
    if (seen === null) this.seenBefore.delete(key);
    else {
      if (this.seenBefore.size >= MAX_MEMBERS) this.seenBefore.clear();
      this.seenBefore.set(key, seen);
    }
  }

  /** The member's one partition as last noted, for a fetch without acks of every partition; '' seen when not known yet. */
  single(
    group: string,
    memberId: string,
    options: { acks: unknown[]; partitions?: unknown },
  ): SinglePartition | undefined {
    if (options.acks.length > 0 || options.partitions !== undefined) return undefined;
    const last = this.byMember.get(`${group}\u0000${memberId}`);
    if (!last || last.partitions.length !== 1) return undefined;
    return { groupId: last.groupId, ...last.partitions[0], seen: last.seen ?? '' };
  }

  /** The id of a topic of the member's last assignment, if `partition` of it was one of its partitions. */
  topicId(group: string, memberId: string, topic: string, partition: number): number | undefined {
    const last = this.byMember.get(`${group}\u0000${memberId}`);
    return last?.partitions.find((p) => p.topic === topic && p.partition === partition)?.topicId;
  }

  /** What a fetch of `options` may lock ahead; none for one with acks (it locks their partitions too). */
  ahead(group: string, memberId: string, options: { acks: unknown[]; maxRecords: number }): ShareGroupOptions['ahead'] {
    if (options.acks.length > 0 || options.maxRecords <= 0) return undefined;
    const last = this.byMember.get(`${group}\u0000${memberId}`);
    if (!last || last.partitions.length === 0) return undefined;
    const first = last.partitions[(this.rotation.get(memberId) ?? 0) % last.partitions.length];
    const keys = last.partitions
      .map(({ topicId, partition }) => ({ topicId, partition }))
      .sort((a, b) => a.topicId - b.topicId || a.partition - b.partition);
    return {
      groupId: last.groupId,
      keys,
      read: { topicId: first.topicId, partition: first.partition, max: options.maxRecords },
    };
  }
}
