import { Operation } from '../../security/domain/acl.js';
import { KafkaGroupService } from '../groups/kafka-group.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** The fields of SyncGroupRequest.json the handler reads, and of SyncGroupResponse.json it answers. */
type Request = {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
};
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}>;

/** SyncGroup (14): the leader hands in every member's assignment; each member gets its own. */
@KafkaApi({ apiKey: 14, name: 'SyncGroup', minVersion: 0, maxVersion: 5 })
export class SyncGroupHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly groups: KafkaGroupService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const groupId = request.groupId;
    if (!(await this.authorizer.group(context, groupId, Operation.Consume)))
      return { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) };
    const assignments = request.assignments;
    const answer = await this.groups.sync(
      groupId,
      request.memberId,
      request.generationId,
      {
        type: version >= 5 ? request.protocolType : null,
        name: version >= 5 ? request.protocolName : null,
      },
      assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment ?? Buffer.alloc(0) })),
      version >= 3 ? request.groupInstanceId : null,
    );
    return {
      throttleTimeMs: 0,
      errorCode: KafkaError[answer.error],
      protocolType: answer.protocolType,
      protocolName: answer.protocolName,
      assignment: answer.assignment,
    };
  }
}
