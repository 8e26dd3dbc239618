import { ShoalError } from '../../platform/errors/index.js';
import { Operation } from '../../security/domain/acl.js';
import { KafkaOffsetsService } from '../groups/kafka-offsets.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/** The fields of OffsetCommitRequest.json the handler reads, and of OffsetCommitResponse.json it answers. */
type Request = {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number;
  topics: {
    name: string | null;
    topicId: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      commitTimestamp: number;
      committedMetadata: string | null;
    }[];
  }[];
};
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  topics: {
    name: string | null;
    topicId: string | Buffer;
    partitions: { partitionIndex: number; errorCode: number }[];
  }[];
}>;

/**
 * OffsetCommit (8): into the consumer group's committed offsets (HTTP describe, lag and
 * `/metrics` read the same rows). v0 has no generation: a commit from outside the group.
 */
@KafkaApi({ apiKey: 8, name: 'OffsetCommit', minVersion: 0, maxVersion: 8 })
export class OffsetCommitHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly offsets: KafkaOffsetsService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const groupId = request.groupId;
    // Topic names are null only from v9 (topic ids), past the versions answered.
    const asked = request.topics.map((t) => ({ ...t, name: t.name ?? '' }));
    const every = (errorCode: number) =>
      answer(
        asked.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
        })),
      );
    if (!(await this.authorizer.group(context, groupId, Operation.Consume)))
      return every(KafkaError.GROUP_AUTHORIZATION_FAILED);
    const readable = new Map<string, boolean>();
    for (const t of asked) readable.set(t.name, await this.authorizer.topic(context, t.name, Operation.Read));
    try {
      const results = await this.offsets.commit(
        groupId,
        version >= 1 ? request.memberId : '',
        version >= 1 ? request.generationId : -1,
        asked.filter((t) => readable.get(t.name)),
        version >= 7 ? request.groupInstanceId : null,
      );
      const byName = new Map(results.map((r) => [r.name, r]));
      return answer(
        asked.map((t) => ({
          name: t.name,
          partitions: readable.get(t.name)
            ? byName
                .get(t.name)!
                .partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: KafkaError[p.error] }))
            : t.partitions.map((p) => ({
                partitionIndex: p.partitionIndex,
                errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED,
              })),
        })),
      );
    } catch (error) {
      if (error instanceof ShoalError) return every(kafkaErrorOf(error).errorCode);
      throw error;
    }
  }
}

function answer(topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]) {
  return { throttleTimeMs: 0, topics };
}
