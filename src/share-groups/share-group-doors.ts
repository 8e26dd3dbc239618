import { Injectable } from '@nestjs/common';
import type { Sql } from '../storage/database.js';

/** Another front door through which share-group members join (the Kafka door adds one at start-up). */
export interface ShareGroupDoor {
  /** The name describe shows as a member's `protocol`. */
  readonly protocol: 'kafka';
  /** The Shoal member ids of the group's members that joined through this door (the caller's transaction). */
  memberIds(sql: Sql, group: string): Promise<string[]>;
}

/**
 * The other front doors of share groups: the protocol-neutral share groups ask them how a
 * member joined, and never import them.
 */
@Injectable()
export class ShareGroupDoors {
  private readonly doors: ShareGroupDoor[] = [];

  add(door: ShareGroupDoor): void {
    this.doors.push(door);
  }

  /** How each member of the group joined: a door's name, else `http`. */
  async protocols(sql: Sql, group: string): Promise<(memberId: string) => 'http' | ShareGroupDoor['protocol']> {
    const by = new Map<string, ShareGroupDoor['protocol']>();
    for (const door of this.doors) for (const id of await door.memberIds(sql, group)) by.set(id, door.protocol);
    return (memberId) => by.get(memberId) ?? 'http';
  }
}
