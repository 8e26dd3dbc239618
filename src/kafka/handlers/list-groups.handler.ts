import { Injectable } from '@nestjs/common';
import { Operation } from '../../security/domain/acl.js';
import { KafkaGroupView } from '../groups/kafka-group-view.js';
import { type KafkaApiHandler, KafkaError, type KafkaRequestContext, type KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** The fields of ListGroupsRequest.json the handler reads, and of ListGroupsResponse.json it answers. */
type Request = { states: string[] };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  groups: { groupId: string; protocolType: string; groupState: string; groupType: string }[];
}>;

/** ListGroups (16): every consumer group (HTTP ones as protocol type `consumer`), filtered by state from v4. */
@Injectable()
export class ListGroupsHandler implements KafkaApiHandler<Request, Response> {
  readonly apiKey = 16;
  readonly name = 'ListGroups';
  readonly minVersion = 0;
  readonly maxVersion = 4;

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
