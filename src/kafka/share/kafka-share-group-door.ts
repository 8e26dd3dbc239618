import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type ShareGroupDoor, ShareGroupDoors } from '../../share-groups/share-group-doors.js';
import type { Sql } from '../../storage/database.js';
import { kafkaShareMemberStore } from '../storage/kafka-share-member.store.js';

/** Tells share-group describe which members joined through ShareGroupHeartbeat; added at start-up. */
@Injectable()
export class KafkaShareGroupDoor implements ShareGroupDoor, OnModuleInit {
  readonly protocol = 'kafka';

  constructor(private readonly doors: ShareGroupDoors) {}

  onModuleInit(): void {
    this.doors.add(this);
  }

  async memberIds(sql: Sql, group: string): Promise<string[]> {
    return (await kafkaShareMemberStore.inGroup(sql, group)).map((m) => m.memberId);
  }
}
