import { Injectable } from '@nestjs/common';
import { Operation } from '../../security/domain/acl.js';
import { KafkaGroupService } from '../groups/kafka-group.service.js';
import { type KafkaApiHandler, KafkaError, type KafkaRequestContext } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** SyncGroup (14): the leader hands in every member's assignment; each member gets its own. */
@Injectable()
export class SyncGroupHandler implements KafkaApiHandler {
  readonly apiKey = 14;
  readonly name = 'SyncGroup';
  readonly minVersion = 0;
  readonly maxVersion = 5;

  constructor(
    private readonly groups: KafkaGroupService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Record<string, unknown>, version: number, context: KafkaRequestContext) {
    const groupId = String(request['groupId'] ?? '');
    if (!(await this.authorizer.group(context, groupId, Operation.Consume)))
      return { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) };
    const assignments = (request['assignments'] as { memberId: string; assignment: Buffer | null }[]) ?? [];
    const answer = await this.groups.sync(
      groupId,
      String(request['memberId'] ?? ''),
      Number(request['generationId']),
      {
        type: version >= 5 ? ((request['protocolType'] as string | null) ?? null) : null,
        name: version >= 5 ? ((request['protocolName'] as string | null) ?? null) : null,
      },
      assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment ?? Buffer.alloc(0) })),
      version >= 3 ? ((request['groupInstanceId'] as string | null) ?? null) : null,
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
