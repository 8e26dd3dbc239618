import type { AckType } from '@shoal/protocol';
import type { ArchiveReason } from './record-state.js';

/** What happened to one topic's records of a group in one transaction: the metrics' events. */
export interface TopicActivity {
  acquired: number;
  /** Acquisitions beyond a record's first delivery. */
  redelivered: number;
  acks: Record<AckType, number>;
  lockTimeouts: number;
  archived: Record<ArchiveReason, number>;
  deadLettered: number;
}

/** A group's events of one transaction, by topic name: what metrics count. */
export interface ShareActivityCounts {
  readonly byTopic: ReadonlyMap<string, TopicActivity>;
}

/** The counters of `topic` in `byTopic`, created at zero on first use. */
export function topicActivity(byTopic: Map<string, TopicActivity>, topic: string): TopicActivity {
  let counts = byTopic.get(topic);
  if (!counts) {
    counts = {
      acquired: 0,
      redelivered: 0,
      acks: { accept: 0, release: 0, reject: 0, renew: 0 },
      lockTimeouts: 0,
      archived: { rejected: 0, delivery_limit: 0 },
      deadLettered: 0,
    };
    byTopic.set(topic, counts);
  }
  return counts;
}
