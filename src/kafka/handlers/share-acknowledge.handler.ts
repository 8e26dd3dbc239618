import { ShareSessionService } from '../share/share-session.service.js';
import { KafkaApi, KafkaError, type KafkaApiHandler, type KafkaRequestContext } from '../kafka-api.js';
import {
  type AckTopics,
  type ShareAnswer,
  byTopicId,
  partitionAckErrors,
  partitionKey,
  readAckTopics,
  shareFailure,
} from '../share/share-acknowledgements.js';
import { ShareAccess } from '../share/share-access.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { ShareTopicIds } from '../share/share-topic-ids.js';

/** The fields of ShareAcknowledgeRequest.json the handler reads, and of ShareAcknowledgeResponse.json it answers. */
type Request = { groupId: string | null; memberId: string | null; shareSessionEpoch: number; topics: AckTopics };
type Response = ShareAnswer;

/**
 * ShareAcknowledge (key 79, KIP-932): accept (1), release (2), reject (3), gap (0) and — from
 * version 2 — renew (4), through the member's share session; epoch -1 applies them and closes the
 * session, releasing whatever the member still holds. One error per partition: INVALID_RECORD_STATE
 * when any of its acknowledgements did not apply (not acquired, not the member's, lock expired).
 */
@KafkaApi({ apiKey: 79, name: 'ShareAcknowledge', minVersion: 1, maxVersion: 2 })
export class ShareAcknowledgeHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly sessions: ShareSessionService,
    private readonly topicIds: ShareTopicIds,
    private readonly access: ShareAccess,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const refused = await this.access.refusal(context, request.groupId ?? '');
    if (refused) return shareFailure(refused);
    const names = await this.topicIds.namesOf(request.topics.map((t) => t.topicId));
    const { acks, errors } = readAckTopics(request.topics, names, version >= 2);
    try {
      const { ackResults, lockDurationMs } = await this.sessions.acknowledge(
        request.groupId ?? '',
        request.memberId ?? '',
        request.shareSessionEpoch,
        acks,
        context.principal,
      );
      const ids = new Map([...names].map(([id, name]) => [name, id]));
      for (const [k, code] of partitionAckErrors(ackResults)) {
        const [topic, partition] = k.split('\u0000');
        errors.set(partitionKey(ids.get(topic)!, Number(partition)), code);
      }
      return {
        throttleTimeMs: 0,
        errorCode: KafkaError.NONE,
        errorMessage: null,
        acquisitionLockTimeoutMs: lockDurationMs,
        responses: responses(errors, context.nodeId),
        nodeEndpoints: [],
      };
    } catch (error) {
      return shareFailure(kafkaErrorOf(error, 'share'));
    }
  }
}

function responses(errors: Map<string, number>, nodeId: number) {
  return byTopicId(errors, (partitionIndex, errorCode) => ({
    partitionIndex,
    errorCode,
    errorMessage: errorCode === KafkaError.NONE ? null : 'an acknowledgement did not apply',
    currentLeader: { leaderId: nodeId, leaderEpoch: 0 },
  }));
}
