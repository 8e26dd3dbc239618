import { Injectable } from '@nestjs/common';
import { UnknownTopicError } from '../../domain/errors/index.js';
import { TopicService } from '../../services/log/topic.service.js';
import { type KafkaApiHandler, KafkaError, type KafkaRequestContext } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/** The cluster id every Shoal broker reports (one database is one cluster). */
export const SHOAL_CLUSTER_ID = 'shoal';

/**
 * Metadata (3): this broker is the only one named, and it leads every partition — any broker
 * on the same database serves any partition, so each answers for itself. Topics are never
 * created by Metadata (as Kafka with `auto.create.topics.enable=false`); topics the principal
 * may do nothing with are left out of "all topics" and refused by name.
 */
@Injectable()
export class MetadataHandler implements KafkaApiHandler {
  readonly apiKey = 3;
  readonly name = 'Metadata';
  readonly minVersion = 0;
  readonly maxVersion = 9;

  constructor(
    private readonly topics: TopicService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Record<string, unknown>, version: number, context: KafkaRequestContext) {
    const asked = request['topics'] as Array<{ name: string | null }> | null;
    const all = asked === null || (version === 0 && asked.length === 0);
    const names = all ? (await this.topics.list()).topics.map((t) => t.name) : asked.map((t) => t.name ?? '');
    const topics = [];
    for (const name of names) {
      const readable = await this.authorizer.describeTopic(context, name);
      if (!readable && all) continue;
      topics.push(
        readable ? await this.describe(name, context.nodeId) : refused(name, KafkaError.TOPIC_AUTHORIZATION_FAILED),
      );
    }
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: context.nodeId, host: context.advertisedHost, port: context.advertisedPort, rack: null }],
      clusterId: SHOAL_CLUSTER_ID,
      controllerId: context.nodeId,
      topics,
    };
  }

  private async describe(name: string, nodeId: number) {
    try {
      const topic = await this.topics.describe(name);
      return {
        errorCode: KafkaError.NONE,
        name,
        isInternal: false,
        partitions: topic.partitions.map((p) => ({
          errorCode: KafkaError.NONE,
          partitionIndex: p.partition,
          leaderId: nodeId,
          leaderEpoch: 0,
          replicaNodes: [nodeId],
          isrNodes: [nodeId],
          offlineReplicas: [],
        })),
      };
    } catch (error) {
      if (error instanceof UnknownTopicError) return refused(name, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
      return refused(name, kafkaErrorOf(error));
    }
  }
}

function refused(name: string, errorCode: number) {
  return { errorCode, name, isInternal: false, partitions: [] };
}
