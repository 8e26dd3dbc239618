import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ErrorCode } from '@shoal/protocol';
import {
  type ConsumerGroupDoor,
  ConsumerGroupDoors,
  type DoorGroup,
} from '../../consumer-groups/consumer-group-doors.js';
import { ShoalError } from '../../platform/errors/index.js';
import type { Sql } from '../../storage/database.js';
import { kafkaGroupStore } from '../storage/kafka-group.store.js';
import { subscribedTopics } from './domain/consumer-protocol.js';
import { describedState, metadataFor } from './domain/kafka-group.js';

/** An HTTP join, offset reset or delete of a group that Kafka clients are members of. */
export class KafkaMembersPresentError extends ShoalError {
  constructor(group: string) {
    super(ErrorCode.GroupNotEmpty, `group ${group} has members that joined through the Kafka protocol`);
  }
}

/**
 * The Kafka door's side of consumer groups (JoinGroup/SyncGroup), as the HTTP consumer groups
 * see it: what describe shows, and who may take a group over. Added to the consumer groups'
 * doors at start-up, so they never import the Kafka door.
 */
@Injectable()
export class KafkaConsumerGroupDoor implements ConsumerGroupDoor, OnModuleInit {
  constructor(private readonly doors: ConsumerGroupDoors) {}

  onModuleInit(): void {
    this.doors.add(this);
  }

  async describe(sql: Sql, groupId: number): Promise<DoorGroup | null> {
    const kafka = await kafkaGroupStore.find(sql, groupId);
    if (!kafka) return null;
    const members = (await kafkaGroupStore.members(sql, groupId)).filter((m) => !m.pending);
    return {
      protocol: 'kafka',
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
