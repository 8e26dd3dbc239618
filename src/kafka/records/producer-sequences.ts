import { Injectable } from '@nestjs/common';

/** What the last batch of one producer on one partition was. */
interface LastBatch {
  producerEpoch: number;
  baseSequence: number;
  lastSequence: number;
  baseOffset: number;
}

export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'out-of-order' };

/** Entries kept at most; the oldest go first. */
const MAX_ENTRIES = 100_000;

/**
 * Idempotent produce (KafkaJS `idempotent: true`, librdkafka `enable.idempotence`): a batch
 * sent again after a lost answer has the sequence of the last one and is answered with its
 * offset instead of being appended twice; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER. Kept in this
 * process's memory: a producer keeps talking to the broker that leads its partitions (every
 * broker leads all), and after a restart the first batch of each producer is taken as it comes.
 */
@Injectable()
export class ProducerSequences {
  private readonly last = new Map<string, LastBatch>();

  check(
    producerId: number,
    producerEpoch: number,
    topic: string,
    partition: number,
    baseSequence: number,
  ): SequenceCheck {
    const entry = this.last.get(key(producerId, topic, partition));
    if (!entry || entry.producerEpoch !== producerEpoch) return { kind: 'append' };
    if (baseSequence === entry.baseSequence) return { kind: 'duplicate', baseOffset: entry.baseOffset };
    if (baseSequence === (entry.lastSequence + 1) % 2 ** 31) return { kind: 'append' };
    return { kind: 'out-of-order' };
  }

  appended(
    producerId: number,
    producerEpoch: number,
    topic: string,
    partition: number,
    batch: Omit<LastBatch, 'producerEpoch'>,
  ): void {
    const k = key(producerId, topic, partition);
    this.last.delete(k);
    this.last.set(k, { producerEpoch, ...batch });
    if (this.last.size > MAX_ENTRIES) this.last.delete(this.last.keys().next().value!);
  }
}

function key(producerId: number, topic: string, partition: number): string {
  return `${producerId}:${topic}:${partition}`;
}
