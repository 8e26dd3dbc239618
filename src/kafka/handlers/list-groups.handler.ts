import { Operation } from '../../security/domain/acl.js';
import { KafkaGroupView } from '../groups/kafka-group-view.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** The fields of ListGroupsRequest.json the handler reads, and of ListGroupsResponse.json it answers. */
type Request = { states: string[] };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  groups: { groupId: string; protocolType: string; groupState: string; groupType: string }[];
}>;

/** ListGroups (16): every consumer group (HTTP ones as protocol type `consumer`), filtered by state from v4. */
@KafkaApi({ apiKey: 16, name: 'ListGroups', minVersion: 0, maxVersion: 4 })
export class ListGroupsHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly view: KafkaGroupView,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const wanted = new Set(request.states.map((s) => s.toLowerCase()));
    const groups = [];
    for (const group of await this.view.list()) {
      if (wanted.size > 0 && !wanted.has(group.groupState.toLowerCase())) continue;
      if (await this.authorizer.group(context, group.groupId, Operation.Consume))
        groups.push({ ...group, groupType: 'classic' });
    }
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, groups };
  }
}
