import { ShoalError } from '../../platform/errors/index.js';
import { Operation } from '../../security/domain/acl.js';
import { KafkaGroupService } from '../groups/kafka-group.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/** The fields of JoinGroupRequest.json the handler reads, and of JoinGroupResponse.json it answers. */
type Request = {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
};
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}>;

/**
 * JoinGroup (11): answered when the join round ends — every known member rejoined, or the
 * rebalance timeout passed. From v4 a member without an id gets MEMBER_ID_REQUIRED first;
 * from v5 a static member (`group.instance.id`) does not, and takes its old place back.
 */
@KafkaApi({ apiKey: 11, name: 'JoinGroup', minVersion: 0, maxVersion: 9 })
export class JoinGroupHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly groups: KafkaGroupService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const groupId = request.groupId;
    const memberId = request.memberId;
    const refused = (errorCode: number) => ({ ...EMPTY, errorCode, memberId });
    if (!(await this.authorizer.group(context, groupId, Operation.Consume)))
      return refused(KafkaError.GROUP_AUTHORIZATION_FAILED);
    const protocols = request.protocols;
    try {
      const answer = await this.groups.join(groupId, {
        memberId,
        clientId: context.clientId ?? '',
        clientHost: '',
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: version >= 1 ? request.rebalanceTimeoutMs : -1,
        protocolType: request.protocolType,
        protocols: protocols.map((p) => ({ name: p.name, metadata: p.metadata ?? Buffer.alloc(0) })),
        requireKnownMemberId: version >= 4,
        groupInstanceId: version >= 5 ? request.groupInstanceId : null,
      });
      return {
        throttleTimeMs: 0,
        errorCode: KafkaError[answer.error],
        generationId: answer.generationId,
        protocolType: answer.protocolType,
        protocolName: version >= 7 ? answer.protocolName : (answer.protocolName ?? ''),
        leader: answer.leader,
        skipAssignment: false,
        memberId: answer.memberId,
        members: answer.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          metadata: m.metadata,
        })),
      };
    } catch (error) {
      if (error instanceof ShoalError) return refused(kafkaErrorOf(error).errorCode);
      throw error;
    }
  }
}

const EMPTY = {
  throttleTimeMs: 0,
  generationId: -1,
  protocolType: null,
  protocolName: '',
  leader: '',
  skipAssignment: false,
  members: [],
};
