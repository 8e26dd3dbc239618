import type { GroupErrorName } from '../groups/domain/kafka-group.js';
import { KafkaError } from '../kafka-api.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/** Kafka's number for a group outcome (the services answer Kafka's error names). */
export function groupErrorCode(name: GroupErrorName): number {
  return KafkaError[name];
}

/** A failure a group service threw (say, the group quota on a join that creates a group), as Kafka's code. */
export function groupFailureCode(error: unknown): number {
  return kafkaErrorOf(error);
}
