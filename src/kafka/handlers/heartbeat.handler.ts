import { Injectable } from '@nestjs/common';
import { Operation } from '../../domain/security/acl.js';
import { KafkaGroupService } from '../../services/kafka-groups/kafka-group.service.js';
import { type KafkaApiHandler, KafkaError, type KafkaRequestContext } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { groupErrorCode } from './group-error-code.js';

/** Heartbeat (12): keeps the session; REBALANCE_IN_PROGRESS tells the member to join again. */
@Injectable()
export class HeartbeatHandler implements KafkaApiHandler {
  readonly apiKey = 12;
  readonly name = 'Heartbeat';
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(
    private readonly groups: KafkaGroupService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Record<string, unknown>, _version: number, context: KafkaRequestContext) {
    const groupId = String(request['groupId'] ?? '');
    if (!(await this.authorizer.group(context, groupId, Operation.Consume)))
      return { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED };
    const outcome = await this.groups.heartbeat(
      groupId,
      String(request['memberId'] ?? ''),
      Number(request['generationId']),
    );
    return { throttleTimeMs: 0, errorCode: groupErrorCode(outcome) };
  }
}
