import type { ShareGroupDescription, TopicPartition } from '@shoal/protocol';
import type { KafkaShareMemberRow } from '../storage/kafka-share-member.store.js';
import { ShareGroupHeartbeatService } from '../share/share-group-heartbeat.service.js';
import { KafkaApi } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaError } from '../kafka-api.js';
import { ShareAccess } from '../share/share-access.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { byTopic, ShareTopicIds } from '../share/share-topic-ids.js';

/** The fields of ShareGroupDescribeRequest.json the handler reads, and of ShareGroupDescribeResponse.json it answers. */
type Request = { groupIds: string[] };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  groups: {
    errorCode: number;
    errorMessage: string | null;
    groupId: string;
    groupState: string;
    groupEpoch: number;
    assignmentEpoch: number;
    assignorName: string;
    members: {
      memberId: string;
      rackId: string | null;
      memberEpoch: number;
      clientId: string;
      clientHost: string;
      subscribedTopicNames: string[];
      assignment: { topicPartitions: { topicId: string | Buffer; topicName: string; partitions: number[] }[] };
    }[];
    authorizedOperations: number;
  }[];
}>;

/** Kafka's "no authorized operations were asked for". */
const NO_OPERATIONS = -2147483648;

/**
 * ShareGroupDescribe (key 77, KIP-932): the members with their epochs and assignments. Members
 * that joined over HTTP are listed under the public half of their id, with epoch 0 and no client id.
 */
@KafkaApi({ apiKey: 77, name: 'ShareGroupDescribe', minVersion: 1, maxVersion: 1 })
export class ShareGroupDescribeHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly members: ShareGroupHeartbeatService,
    private readonly topicIds: ShareTopicIds,
    private readonly access: ShareAccess,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const groupIds = request.groupIds;
    const groups = [];
    for (const groupId of groupIds) {
      const refused = await this.access.refusal(context, groupId);
      groups.push(refused ? failed(groupId, refused) : await this.describe(groupId));
    }
    return { throttleTimeMs: 0, groups };
  }

  private async describe(groupId: string): Promise<NonNullable<Response['groups']>[number]> {
    try {
      const { description, kafka } = await this.members.describe(groupId);
      const names = [...new Set(description.members.flatMap((m) => [...m.assignment.map((p) => p.topic)]))];
      const ids = await this.topicIds.idsOf([...names, ...[...kafka.values()].flatMap((r) => r.topics)]);
      const members = description.members.map((m) => this.member(m, kafka.get(m.memberId), ids));
      const epoch = Math.max(0, ...members.map((m) => m.memberEpoch));
      return {
        errorCode: KafkaError.NONE,
        errorMessage: null,
        groupId,
        groupState: members.length === 0 ? 'Empty' : 'Stable',
        groupEpoch: epoch,
        assignmentEpoch: epoch,
        assignorName: 'simple',
        members,
        authorizedOperations: NO_OPERATIONS,
      };
    } catch (error) {
      return failed(groupId, kafkaErrorOf(error, 'share'));
    }
  }

  private member(
    m: ShareGroupDescription['members'][number],
    row: KafkaShareMemberRow | undefined,
    ids: Map<string, string>,
  ) {
    return {
      memberId: row?.kafkaMemberId ?? m.memberId,
      rackId: null,
      memberEpoch: row?.memberEpoch ?? 0,
      clientId: row?.clientId ?? '',
      clientHost: '',
      subscribedTopicNames: row?.topics ?? [...new Set(m.assignment.map((p) => p.topic))],
      assignment: { topicPartitions: topicPartitions(m.assignment, ids) },
    };
  }
}

function topicPartitions(assignment: TopicPartition[], ids: Map<string, string>) {
  return [...byTopic(assignment)]
    .filter(([topic]) => ids.has(topic))
    .map(([topicName, partitions]) => ({ topicId: ids.get(topicName)!, topicName, partitions }));
}

function failed(groupId: string, error: { errorCode: number; errorMessage: string }) {
  return {
    ...error,
    groupId,
    groupState: 'Dead',
    groupEpoch: -1,
    assignmentEpoch: -1,
    assignorName: '',
    members: [],
    authorizedOperations: NO_OPERATIONS,
  };
}
