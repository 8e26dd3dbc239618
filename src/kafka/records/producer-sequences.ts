import { Injectable } from '@nestjs/common';

/** One appended batch of one producer on one partition. */
interface Batch {
  baseSequence: number;
  lastSequence: number;
  baseOffset: number;
}

/** What one producer appended last on one partition: its epoch and its latest batches, oldest first. */
interface PartitionState {
  producerEpoch: number;
  batches: Batch[];
}

export type SequenceCheck =
  { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'out-of-order' } | { kind: 'fenced' };

/** Entries kept at most; the oldest go first. */
const MAX_ENTRIES = 100_000;
/** Batches remembered per producer and partition: Kafka's, as a producer has at most 5 in flight. */
const BATCHES_KEPT = 5;
const SEQUENCE_SPAN = 2 ** 31;

/**
 * Idempotent produce (KafkaJS `idempotent: true`, librdkafka `enable.idempotence`), Kafka's
 * producer-state rules:
 * - a batch sent again after a lost answer (the same epoch and base sequence as one of the
 *   producer's last 5 batches on the partition) is answered with that batch's offset instead of
 *   being appended twice;
 * - otherwise the base sequence must follow the last batch's (a gap or a step back is
 *   OUT_OF_ORDER_SEQUENCE_NUMBER), and a new epoch must start at 0;
 * - an epoch older than the newest this broker saw for the producer id (InitProducerId bumped
 *   it, or a newer batch carried it) is fenced: INVALID_PRODUCER_EPOCH.
 * Kept in this process's memory: a producer keeps talking to the broker that leads its
 * partitions (every broker leads all), and after a restart the first batch of each producer is
 * taken as it comes.
 */
@Injectable()
export class ProducerSequences {
  private readonly last = new Map<string, PartitionState>();
  /** The newest epoch seen per producer id (batches and InitProducerId bumps). */
  private readonly epochs = new Map<number, number>();

  check(
    producerId: number,
    producerEpoch: number,
    topic: string,
    partition: number,
    baseSequence: number,
  ): SequenceCheck {
    if (producerEpoch < (this.epochs.get(producerId) ?? -1)) return { kind: 'fenced' };
    const entry = this.last.get(key(producerId, topic, partition));
    if (!entry) return { kind: 'append' };
    if (producerEpoch !== entry.producerEpoch)
      return baseSequence === 0 ? { kind: 'append' } : { kind: 'out-of-order' };
    const same = entry.batches.find((b) => b.baseSequence === baseSequence);
    if (same) return { kind: 'duplicate', baseOffset: same.baseOffset };
    const latest = entry.batches[entry.batches.length - 1];
    if (baseSequence === (latest.lastSequence + 1) % SEQUENCE_SPAN) return { kind: 'append' };
    return { kind: 'out-of-order' };
  }

  appended(producerId: number, producerEpoch: number, topic: string, partition: number, batch: Batch): void {
    this.raiseEpoch(producerId, producerEpoch);
    const k = key(producerId, topic, partition);
    const entry = this.last.get(k);
    const batches = entry && entry.producerEpoch === producerEpoch ? [...entry.batches, batch] : [batch];
    this.last.delete(k);
    this.last.set(k, { producerEpoch, batches: batches.slice(-BATCHES_KEPT) });
    if (this.last.size > MAX_ENTRIES) this.last.delete(this.last.keys().next().value!);
  }

  /**
   * InitProducerId for a producer id it already has (KIP-360): the epoch moves on, so batches
   * with the old one are fenced. Null when `producerEpoch` is not the newest (a stale producer).
   */
  bumpEpoch(producerId: number, producerEpoch: number): number | null {
    const newest = this.epochs.get(producerId) ?? producerEpoch;
    if (producerEpoch < newest) return null;
    const next = producerEpoch + 1;
    this.raiseEpoch(producerId, next);
    return next;
  }

  private raiseEpoch(producerId: number, epoch: number): void {
    if (epoch <= (this.epochs.get(producerId) ?? -1)) return;
    this.epochs.delete(producerId);
    this.epochs.set(producerId, epoch);
    if (this.epochs.size > MAX_ENTRIES) this.epochs.delete(this.epochs.keys().next().value!);
  }
}

function key(producerId: number, topic: string, partition: number): string {
  return `${producerId}:${topic}:${partition}`;
}
