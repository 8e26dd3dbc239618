import { Injectable } from '@nestjs/common';
import type { ConsumerGroupDescription, GroupProtocol } from '@shoal/protocol';
import type { Sql } from '../storage/database.js';

/** A consumer group as another front door runs it, as HTTP describe shows it. */
export interface DoorGroup {
  protocol: GroupProtocol;
  state: ConsumerGroupDescription['state'];
  /** The door's own member ids (no secret in them), client ids and subscribed topics. */
  members: { memberId: string; clientId: string; topics: string[] }[];
}

/**
 * Another front door that runs consumer groups of its own (the Kafka door adds one at start-up).
 * A group runs one protocol at a time. Every call runs in the caller's transaction, under its
 * lock of the group.
 */
export interface ConsumerGroupDoor {
  /** The group as this door runs it, or null when it does not. */
  describe(sql: Sql, groupId: number): Promise<DoorGroup | null>;
  /** Refuses (GROUP_NOT_EMPTY) while members that joined through this door are in the group. */
  requireNoMembers(sql: Sql, group: { id: number; name: string }): Promise<void>;
  /** Forgets this door's state of a group whose members it no longer has (an HTTP join takes it over). */
  forget(sql: Sql, groupId: number): Promise<void>;
}

/**
 * The other front doors the protocol-neutral consumer groups answer beside HTTP: they call
 * them through this list and never import them.
 */
@Injectable()
export class ConsumerGroupDoors {
  private readonly doors: ConsumerGroupDoor[] = [];

  add(door: ConsumerGroupDoor): void {
    this.doors.push(door);
  }

  /** The group as the door that runs it shows it, or null: an HTTP group. */
  async describe(sql: Sql, groupId: number): Promise<DoorGroup | null> {
    for (const door of this.doors) {
      const found = await door.describe(sql, groupId);
      if (found) return found;
    }
    return null;
  }

  async requireNoMembers(sql: Sql, group: { id: number; name: string }): Promise<void> {
    for (const door of this.doors) await door.requireNoMembers(sql, group);
  }

  /** An HTTP join takes the group over: only once no other door's members are in it. */
  async takeOver(sql: Sql, group: { id: number; name: string }): Promise<void> {
    await this.requireNoMembers(sql, group);
    for (const door of this.doors) await door.forget(sql, group.id);
  }
}
