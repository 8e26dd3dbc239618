import type { TopicPartition } from '@shoal/protocol';
import type { Topic } from '../log/domain/topic.js';
import type { ShareGroupOptions } from './share-group.coordinator.js';

/** Members remembered at most; past that the memory starts afresh (a fetch then locks in a round trip of its own). */
const MAX_MEMBERS = 10_000;

interface Assignment {
  groupId: number;
  /** The member's partitions in its assignment's order (which the fetch's rotation walks). */
  partitions: { topicId: number; partition: number }[];
}

/**
 * Each member's assignment as its last fetch without acks found it, so that its next such fetch
 * sends the share-partitions' lock — and the read of the next records of the partition it will
 * fill from first — with the group's opening, in one round trip (PostgreSQL; see WindowsAhead).
 * A guess: the transaction uses what it locked ahead only if the group and the windows it then
 * locks are the ones guessed, and locks them itself otherwise.
 */
export class LastLocks {
  private readonly byMember = new Map<string, Assignment>();

  /** `rotation`: the share fetch's next starting partition per member. */
  constructor(private readonly rotation: ReadonlyMap<string, number>) {}

  note(
    group: string,
    memberId: string,
    groupId: number,
    assignment: TopicPartition[],
    topics: Map<string, Topic>,
  ): void {
    const partitions = assignment.map((p) => ({ topicId: topics.get(p.topic)!.id, partition: p.partition }));
    if (this.byMember.size >= MAX_MEMBERS) this.byMember.clear();
    this.byMember.set(`${group}\u0000${memberId}`, { groupId, partitions });
  }

  /** What a fetch of `options` may lock ahead; none for one with acks (it locks their partitions too). */
  ahead(group: string, memberId: string, options: { acks: unknown[]; maxRecords: number }): ShareGroupOptions['ahead'] {
    if (options.acks.length > 0 || options.maxRecords <= 0) return undefined;
    const last = this.byMember.get(`${group}\u0000${memberId}`);
    if (!last || last.partitions.length === 0) return undefined;
    const first = last.partitions[(this.rotation.get(memberId) ?? 0) % last.partitions.length];
    const keys = [...last.partitions].sort((a, b) => a.topicId - b.topicId || a.partition - b.partition);
    return { groupId: last.groupId, keys, read: { ...first, max: options.maxRecords } };
  }
}
