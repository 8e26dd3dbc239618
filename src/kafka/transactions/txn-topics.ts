import { NAME_PATTERN } from '@shoal/protocol';
import type { TopicService } from '../../log/topic.service.js';
import type { Operation } from '../../security/domain/acl.js';
import { KafkaError, type KafkaRequestContext } from '../kafka-api.js';
import type { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/**
 * A topic a transactional request names: its partition count, or the error for the whole
 * topic (not allowed `operation`, unknown, the database unreachable).
 */
export async function txnTopic(
  authorizer: KafkaAuthorizer,
  topics: TopicService,
  context: KafkaRequestContext,
  topic: string,
  operation: Operation,
): Promise<{ count: number } | { error: number }> {
  if (!(await authorizer.topic(context, topic, operation))) return { error: KafkaError.TOPIC_AUTHORIZATION_FAILED };
  try {
    return { count: (await topics.describe(topic)).partitions.length };
  } catch (error) {
    return { error: kafkaErrorOf(error).errorCode };
  }
}

/** The error of one partition of a topic `txnTopic` answered: NONE when it exists. */
export function txnPartitionError(topic: { count: number } | { error: number }, partition: number): number {
  if ('error' in topic) return topic.error;
  return partition >= 0 && partition < topic.count ? KafkaError.NONE : KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
}

/** A group a transaction commits offsets for must have a name Shoal's groups can have. */
export function txnGroupError(group: string): number {
  return NAME_PATTERN.test(group) ? KafkaError.NONE : KafkaError.INVALID_GROUP_ID;
}
