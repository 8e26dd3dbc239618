import { Operation } from '../../security/domain/acl.js';
import { KafkaGroupService } from '../groups/kafka-group.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** The fields of LeaveGroupRequest.json the handler reads, and of LeaveGroupResponse.json it answers. */
type Request = { groupId: string; memberId: string; members: { memberId: string; groupInstanceId: string | null }[] };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}>;

/**
 * LeaveGroup (13): one member (v0–2) or several (v3+) leave at once; the rest rebalance. A
 * static member may leave by its instance id alone (member id "").
 */
@KafkaApi({ apiKey: 13, name: 'LeaveGroup', minVersion: 0, maxVersion: 5 })
export class LeaveGroupHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly groups: KafkaGroupService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const groupId = request.groupId;
    const leaving = version >= 3 ? request.members : [{ memberId: request.memberId, groupInstanceId: null }];
    if (!(await this.authorizer.group(context, groupId, Operation.Consume)))
      return { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED, members: [] };
    const outcomes = await this.groups.leave(
      groupId,
      leaving.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null })),
    );
    const members = leaving.map((m, i) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      errorCode: KafkaError[outcomes[i]],
    }));
    // Before v3 the one member's outcome is the answer's; from v3 each member has its own.
    return { throttleTimeMs: 0, errorCode: version >= 3 ? KafkaError.NONE : members[0].errorCode, members };
  }
}
