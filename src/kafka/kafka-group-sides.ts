import { Injectable } from '@nestjs/common';
import { ConsumerGroupHooks, type OtherGroupProtocol } from '../consumer-groups/consumer-group.hooks.js';
import { ShareGroupHooks, type OtherShareProtocol } from '../share-groups/share-group.hooks.js';
import type { Sql } from '../storage/database.js';
import { describedState } from './groups/domain/kafka-group.js';
import { kafkaSide } from './groups/kafka-group-view.js';
import { kafkaGroupStore } from './storage/kafka-group.store.js';
import { kafkaShareMemberStore } from './storage/kafka-share-member.store.js';

/** Kafka's side of the consumer groups HTTP serves too (their describe, and who may join). */
@Injectable()
export class KafkaConsumerGroupSide implements OtherGroupProtocol {
  readonly name = 'kafka';

  constructor(hooks: ConsumerGroupHooks) {
    hooks.otherProtocol.fill(this);
  }

  async side(sql: Sql, groupId: number) {
    const kafka = await kafkaSide(sql, groupId);
    return kafka && { state: describedState(kafka.state), members: kafka.members };
  }

  async hasMembers(sql: Sql, groupId: number): Promise<boolean> {
    return (await kafkaGroupStore.members(sql, groupId)).some((m) => !m.pending);
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
