import { Operation } from '../../security/domain/acl.js';
import { KafkaGroupView } from '../groups/kafka-group-view.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** The fields of DescribeGroupsRequest.json the handler reads, and of DescribeGroupsResponse.json it answers. */
type Request = { groups: string[] };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  groups: {
    errorCode: number;
    groupId: string;
    groupState: string;
    protocolType: string;
    protocolData: string;
    members: {
      memberId: string;
      groupInstanceId: string | null;
      clientId: string;
      clientHost: string;
      memberMetadata: Buffer;
      memberAssignment: Buffer;
    }[];
    authorizedOperations: number;
  }[];
}>;

/** DescribeGroups (15): consumer groups of both protocols; one that does not exist is `Dead`, as in Kafka. */
@KafkaApi({ apiKey: 15, name: 'DescribeGroups', minVersion: 0, maxVersion: 4 })
export class DescribeGroupsHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly view: KafkaGroupView,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const names = request.groups;
    const allowed = new Map<string, boolean>();
    for (const name of names) allowed.set(name, await this.authorizer.group(context, name, Operation.Consume));
    const described = await this.view.describe(names.filter((n) => allowed.get(n)));
    const byName = new Map(described.map((d) => [d.groupId, d]));
    return {
      throttleTimeMs: 0,
      groups: names.map((name) => {
        const group = byName.get(name);
        if (!group) return { ...dead(name), errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED };
        return {
          errorCode: KafkaError.NONE,
          groupId: name,
          groupState: group.groupState,
          protocolType: group.protocolType,
          protocolData: group.protocolData,
          members: group.members.map((m) => ({ ...m, groupInstanceId: m.groupInstanceId ?? null })),
          authorizedOperations: -2147483648,
        };
      }),
    };
  }
}

function dead(groupId: string) {
  return {
    groupId,
    groupState: 'Dead',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: -2147483648,
  };
}
