import { NAME_PATTERN, type TopicPartition } from '@shoal/protocol';
import { ShareGroupHeartbeatService } from '../share/share-group-heartbeat.service.js';
import { KafkaApi } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaError } from '../kafka-api.js';
import { ShareAccess } from '../share/share-access.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { byTopic, ShareTopicIds } from '../share/share-topic-ids.js';

/** The fields of ShareGroupHeartbeatRequest.json the handler reads, and of ShareGroupHeartbeatResponse.json it answers. */
type Request = { groupId: string; memberId: string; memberEpoch: number; subscribedTopicNames: string[] | null };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: {
    error: number;
    assignedTopicPartitions: { topicId: string | Buffer; partitions: number[] }[];
    topicPartitions: { topicId: string | Buffer; partitions: number[] }[];
  } | null;
}>;

/**
 * ShareGroupHeartbeat (key 76, KIP-932): joins with epoch 0, leaves with -1, keeps the member
 * alive and answers its assignment (Shoal's share-group assignor) and member epoch otherwise.
 */
@KafkaApi({ apiKey: 76, name: 'ShareGroupHeartbeat', minVersion: 1, maxVersion: 1 })
export class ShareGroupHeartbeatHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly members: ShareGroupHeartbeatService,
    private readonly topicIds: ShareTopicIds,
    private readonly access: ShareAccess,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const invalid = validate(request);
    if (invalid) return failure(request, invalid);
    try {
      const refused = await this.access.refusal(context, request.groupId, request.subscribedTopicNames ?? []);
      if (refused) return failure(request, refused);
      const answer = await this.members.heartbeat({
        group: request.groupId,
        kafkaMemberId: request.memberId,
        memberEpoch: request.memberEpoch,
        subscribedTopicNames: request.subscribedTopicNames ?? null,
        clientId: context.clientId,
        principal: context.principal,
      });
      return {
        throttleTimeMs: 0,
        errorCode: KafkaError.NONE,
        errorMessage: null,
        memberId: request.memberId,
        memberEpoch: answer.memberEpoch,
        heartbeatIntervalMs: answer.heartbeatIntervalMs,
        assignment: answer.assignment === null ? null : { topicPartitions: await this.topics(answer.assignment) },
      };
    } catch (error) {
      return failure(request, kafkaErrorOf(error, 'share'));
    }
  }

  private async topics(assignment: TopicPartition[]): Promise<{ topicId: string; partitions: number[] }[]> {
    const grouped = byTopic(assignment);
    const ids = await this.topicIds.idsOf([...grouped.keys()]);
    return [...grouped]
      .filter(([topic]) => ids.has(topic))
      .map(([topic, partitions]) => ({ topicId: ids.get(topic)!, partitions }));
  }
}

function failure(request: Request, error: { errorCode: number; errorMessage: string }) {
  return {
    throttleTimeMs: 0,
    ...error,
    memberId: request.memberId,
    memberEpoch: request.memberEpoch,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

/** The longest member id a client may choose (Kafka's are 22-character UUIDs). */
const MAX_MEMBER_ID_LENGTH = 255;

/** The edge's checks: a group name as HTTP takes it, and a member id that fits. */
function validate(request: Request): { errorCode: number; errorMessage: string } | null {
  if (typeof request.groupId !== 'string' || !NAME_PATTERN.test(request.groupId))
    return { errorCode: KafkaError.INVALID_GROUP_ID, errorMessage: `group id must match ${NAME_PATTERN.source}` };
  if (request.memberId.length > MAX_MEMBER_ID_LENGTH)
    return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `member id longer than ${MAX_MEMBER_ID_LENGTH}` };
  return null;
}
