import { partitionForKey } from './murmur2.js';
import type { RecordKey } from './record.js';

/**
 * Kafka's default choice of partition: an explicit one wins, a key goes where murmur2 puts
 * it, and keyless records are spread evenly (round robin per topic, per broker process).
 */
export class Partitioner {
  private readonly nextByTopic = new Map<number, number>();

  choose(topicId: number, partitionCount: number, key: RecordKey): number {
    if (key !== null) return partitionForKey(key, partitionCount);
    const next = this.nextByTopic.get(topicId) ?? Math.floor(Math.random() * partitionCount);
    this.nextByTopic.set(topicId, (next + 1) % 1_000_000_007);
    return next % partitionCount;
  }
}
