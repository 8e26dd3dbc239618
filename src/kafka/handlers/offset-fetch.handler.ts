import { Operation } from '../../security/domain/acl.js';
import { KafkaOffsetsService } from '../groups/kafka-offsets.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** The fields of OffsetFetchRequest.json the handler reads, and of OffsetFetchResponse.json it answers (versions 0-7). */
type Request = { groupId: string; topics: { name: string; partitionIndexes: number[] }[] | null };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      metadata: string | null;
      errorCode: number;
    }[];
  }[];
}>;

/** OffsetFetch (9): the group's committed offsets, −1 where none is; all of them when `topics` is null (v2+). */
@KafkaApi({ apiKey: 9, name: 'OffsetFetch', minVersion: 0, maxVersion: 7 })
export class OffsetFetchHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly offsets: KafkaOffsetsService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const groupId = request.groupId;
    const asked = request.topics;
    if (!(await this.authorizer.group(context, groupId, Operation.Consume)))
      return { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED, topics: [] };
    const found = await this.offsets.fetch(groupId, asked);
    const topics = [];
    for (const topic of found) {
      const readable = await this.authorizer.topic(context, topic.name, Operation.Read);
      if (!readable && asked === null) continue;
      topics.push({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: readable ? p.committedOffset : -1,
          committedLeaderEpoch: -1,
          // Kafka answers "" where nothing (or no metadata) was committed.
          metadata: readable ? (p.metadata ?? '') : '',
          errorCode: readable ? KafkaError.NONE : KafkaError.TOPIC_AUTHORIZATION_FAILED,
        })),
      });
    }
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, topics };
  }
}
