import { Operation } from '../../security/domain/acl.js';
import { KafkaGroupService } from '../groups/kafka-group.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** The fields of HeartbeatRequest.json the handler reads, and of HeartbeatResponse.json it answers. */
type Request = { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null };
type Response = KafkaAnswer<{ throttleTimeMs: number; errorCode: number }>;

/**
 * Heartbeat (12): keeps the session; REBALANCE_IN_PROGRESS tells the member to join again.
 * From v3 a static member replaced by a rejoin with its instance id is FENCED_INSTANCE_ID.
 */
@KafkaApi({ apiKey: 12, name: 'Heartbeat', minVersion: 0, maxVersion: 4 })
export class HeartbeatHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly groups: KafkaGroupService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const groupId = request.groupId;
    if (!(await this.authorizer.group(context, groupId, Operation.Consume)))
      return { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED };
    const outcome = await this.groups.heartbeat(
      groupId,
      request.memberId,
      request.generationId,
      version >= 3 ? request.groupInstanceId : null,
    );
    return { throttleTimeMs: 0, errorCode: KafkaError[outcome] };
  }
}
