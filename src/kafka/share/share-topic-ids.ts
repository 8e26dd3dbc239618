import type { TopicPartition } from '@shoal/protocol';

/** Kafka names topics by id in the share RPCs; Shoal's services by name. Both ways, one lookup per request. */
export abstract class ShareTopicIds {
  /** Topic ids by name, for the names that exist. */
  abstract idsOf(names: string[]): Promise<Map<string, string>>;
  /** Topic names by id, for the ids that exist. */
  abstract namesOf(ids: string[]): Promise<Map<string, string>>;
}

/** Partitions by topic, for the `[]TopicPartitions` shapes of the share RPCs. */
export function byTopic(partitions: TopicPartition[]): Map<string, number[]> {
  const grouped = new Map<string, number[]>();
  for (const { topic, partition } of partitions) grouped.set(topic, [...(grouped.get(topic) ?? []), partition]);
  return grouped;
}
