import { Injectable } from '@nestjs/common';
import { Operation } from '../../security/domain/acl.js';
import { KafkaError, type KafkaRequestContext } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';

/** A refusal, as the share RPCs answer it at the top level. */
export interface Refusal {
  errorCode: number;
  errorMessage: string;
}

/**
 * The share RPCs' ACLs, as the HTTP routes have them: `consume` on the group for every share RPC,
 * and `read` on each topic a member subscribes to. (That only the principal that joined acts as
 * the member is the services' rule.)
 */
@Injectable()
export class ShareAccess {
  constructor(private readonly authorizer: KafkaAuthorizer) {}

  /** Null when allowed; else GROUP_AUTHORIZATION_FAILED or TOPIC_AUTHORIZATION_FAILED. */
  async refusal(context: KafkaRequestContext, group: string, topics: string[] = []): Promise<Refusal | null> {
    if (!(await this.authorizer.group(context, group, Operation.Consume)))
      return {
        errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED,
        errorMessage: `consume on group ${group} is not allowed`,
      };
    for (const topic of topics)
      if (!(await this.authorizer.topic(context, topic, Operation.Read)))
        return {
          errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED,
          errorMessage: `read on topic ${topic} is not allowed`,
        };
    return null;
  }
}
