import { UnknownTopicError } from '../../platform/errors/index.js';
import { TopicService } from '../../log/topic.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { ZERO_UUID } from '../protocol/uuid.js';
import { ShareTopicIds } from '../share/share-topic-ids.js';

/** The fields of MetadataRequest.json the handler reads, and of MetadataResponse.json it answers. */
type Request = { topics: { topicId: string; name: string | null }[] | null };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  clusterId: string | null;
  controllerId: number;
  topics: {
    errorCode: number;
    name: string | null;
    topicId: string | Buffer;
    isInternal: boolean;
    partitions: {
      errorCode: number;
      partitionIndex: number;
      leaderId: number;
      leaderEpoch: number;
      replicaNodes: number[];
      isrNodes: number[];
      offlineReplicas: number[];
    }[];
    topicAuthorizedOperations: number;
  }[];
  clusterAuthorizedOperations: number;
}>;

/** The cluster id every Shoal broker reports (one database is one cluster). */
export const SHOAL_CLUSTER_ID = 'shoal';

/**
 * Metadata (3): this broker is the only one named, and it leads every partition — any broker
 * on the same database serves any partition, so each answers for itself. Topics are never
 * created by Metadata (as Kafka with `auto.create.topics.enable=false`); topics the principal
 * may do nothing with are left out of "all topics" and refused by name. From version 10 each
 * topic carries its id (the one the share-group RPCs use) and may be asked for by id alone.
 */
@KafkaApi({ apiKey: 3, name: 'Metadata', minVersion: 0, maxVersion: 12 })
export class MetadataHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly topics: TopicService,
    private readonly authorizer: KafkaAuthorizer,
    private readonly topicIds: ShareTopicIds,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const asked = request.topics;
    const all = asked === null || (version === 0 && asked.length === 0);
    // Asked by id alone (version 10 on): the name is looked up; an id no topic has is UNKNOWN_TOPIC_ID.
    const byId = await this.topicIds.namesOf(
      (asked ?? []).filter((t) => t.name === null && t.topicId !== undefined).map((t) => t.topicId!),
    );
    const wanted = all
      ? (await this.topics.list()).topics.map((t) => ({ name: t.name, id: undefined as string | undefined }))
      : asked.map((t) => ({ name: t.name ?? byId.get(t.topicId ?? '') ?? null, id: t.topicId }));
    const ids = await this.topicIds.idsOf(wanted.flatMap((t) => (t.name === null ? [] : [t.name])));
    const topics = [];
    for (const { name, id } of wanted) {
      if (name === null) {
        topics.push({ ...refused(version >= 12 ? null : '', KafkaError.UNKNOWN_TOPIC_ID), topicId: id ?? ZERO_UUID });
        continue;
      }
      const readable = await this.authorizer.describeTopic(context, name);
      if (!readable && all) continue;
      const described = readable
        ? await this.describe(name, context.nodeId)
        : refused(name, KafkaError.TOPIC_AUTHORIZATION_FAILED);
      topics.push({ ...described, topicId: (readable && ids.get(name)) || ZERO_UUID });
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
      return refused(name, kafkaErrorOf(error).errorCode);
    }
  }
}

function refused(name: string | null, errorCode: number) {
  return { errorCode, name, isInternal: false, partitions: [] };
}
