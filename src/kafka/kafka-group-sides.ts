import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@shoal/protocol';
import { ConsumerGroupHooks, type OtherGroupProtocol } from '../consumer-groups/consumer-group.hooks.js';
import { ShareGroupHooks, type OtherShareProtocol } from '../share-groups/share-group.hooks.js';
import type { Sql } from '../storage/database.js';
import { ShoalError } from '../platform/errors/index.js';
import { subscribedTopics } from './groups/domain/consumer-protocol.js';
import { describedState, metadataFor } from './groups/domain/kafka-group.js';
import { kafkaGroupStore } from './storage/kafka-group.store.js';
import { kafkaShareMemberStore } from './storage/kafka-share-member.store.js';

/** An HTTP join, offset reset or delete of a group that Kafka clients are members of. */
export class KafkaMembersPresentError extends ShoalError {
  constructor(group: string) {
    super(ErrorCode.GroupNotEmpty, `group ${group} has members that joined through the Kafka protocol`);
  }
}

/** Kafka's side of the consumer groups HTTP serves too (their describe, and who may join). */
@Injectable()
export class KafkaConsumerGroupSide implements OtherGroupProtocol {
  readonly name = 'kafka';

  constructor(hooks: ConsumerGroupHooks) {
    hooks.otherProtocol.fill(this);
  }

  async side(sql: Sql, groupId: number) {
    const kafka = await kafkaGroupStore.find(sql, groupId);
    if (!kafka) return null;
    const members = (await kafkaGroupStore.members(sql, groupId)).filter((m) => !m.pending);
    return {
      state: describedState(kafka.state),
      members: members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        topics: kafka.protocolType === 'consumer' ? subscribedTopics(metadataFor(m, kafka.protocolName)) : [],
      })),
    };
  }

  async requireNoMembers(sql: Sql, group: { id: number; name: string }): Promise<void> {
    if ((await kafkaGroupStore.members(sql, group.id)).some((m) => !m.pending))
      throw new KafkaMembersPresentError(group.name);
  }

  forget(sql: Sql, groupId: number): Promise<void> {
    return kafkaGroupStore.forget(sql, groupId);
  }
}

/** Which share-group members joined through Kafka's ShareGroupHeartbeat (share-group describe). */
@Injectable()
export class KafkaShareMembers implements OtherShareProtocol {
  readonly name = 'kafka';

  constructor(hooks: ShareGroupHooks) {
    hooks.otherProtocol.fill(this);
  }

  async memberIds(sql: Sql, group: string): Promise<string[]> {
    return (await kafkaShareMemberStore.inGroup(sql, group)).map((m) => m.memberId);
  }
}
