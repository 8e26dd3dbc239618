import { Injectable } from '@nestjs/common';
import { allows, isSuperuser, Operation, type Permission, ResourceType } from '../security/domain/acl.js';
import { ApiKeyService } from '../security/api-key.service.js';
import { KafkaError, type KafkaRequestContext } from './kafka-api.js';
import { KafkaSessions } from './kafka-sessions.js';

/** What became of one topic of a CreateTopics or CreatePartitions request. */
export interface TopicOutcome {
  errorCode: number;
  errorMessage: string | null;
}

/**
 * The ACL check of the Kafka front door: the same rules as the HTTP guard (`allows`,
 * superusers), for the principal the connection authenticated as with SASL/PLAIN. With auth
 * off everything is allowed, as over HTTP.
 */
@Injectable()
export class KafkaAuthorizer {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly sessions: KafkaSessions,
  ) {}

  async allowed(context: KafkaRequestContext, permission: Permission): Promise<boolean> {
    if (!(await this.keys.authEnabled())) return true;
    const principal = this.sessions.get(context.connectionId)?.principal;
    if (!principal) return false;
    return isSuperuser(principal.name, principal.rules) || allows(principal.rules, permission);
  }

  topic(context: KafkaRequestContext, name: string, operation: Operation): Promise<boolean> {
    return this.allowed(context, { resourceType: ResourceType.Topic, name, operation });
  }

  /** Kafka's DESCRIBE on a topic (Metadata): implied by any operation allowed on it. */
  async describeTopic(context: KafkaRequestContext, name: string): Promise<boolean> {
    for (const operation of [Operation.Read, Operation.Produce, Operation.Admin])
      if (await this.topic(context, name, operation)) return true;
    return false;
  }

  /**
   * `change` of each topic the principal may administer, in order, by name; the others are
   * TOPIC_AUTHORIZATION_FAILED (CreateTopics, CreatePartitions).
   */
  async eachAdminTopic<T extends { name: string }>(
    context: KafkaRequestContext,
    topics: T[],
    change: (topic: T) => Promise<TopicOutcome>,
  ): Promise<({ name: string } & TopicOutcome)[]> {
    const results = [];
    for (const topic of topics) {
      const outcome = (await this.topic(context, topic.name, Operation.Admin))
        ? await change(topic)
        : { errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'not allowed' };
      results.push({ name: topic.name, ...outcome });
    }
    return results;
  }

  group(context: KafkaRequestContext, name: string, operation: Operation): Promise<boolean> {
    return this.allowed(context, { resourceType: ResourceType.Group, name, operation });
  }
}
