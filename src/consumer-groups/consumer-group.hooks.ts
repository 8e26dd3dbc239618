import { Injectable } from '@nestjs/common';
import type { ConsumerGroupDescription } from '@shoal/protocol';
import { Slot } from '../platform/hooks.js';
import type { Sql } from '../storage/database.js';

/** A consumer group's side on another protocol, as HTTP describe shows it. */
export interface OtherProtocolSide {
  state: ConsumerGroupDescription['state'];
  /** Its live members: whole ids (they hold no secret), client ids and subscribed topics. */
  members: { memberId: string; clientId: string; topics: string[] }[];
}

/**
 * Another protocol running consumer groups of the same names (Kafka's JoinGroup/SyncGroup).
 * A group runs one protocol at a time; every method runs inside the caller's transaction.
 */
export interface OtherGroupProtocol {
  readonly name: ConsumerGroupDescription['protocol'];
  /** The group's side on that protocol; null when it has none. */
  side(sql: Sql, groupId: number): Promise<OtherProtocolSide | null>;
  /** Refuses (throws the protocol's own error) when the group has a live member on that protocol. */
  requireNoMembers(sql: Sql, group: { id: number; name: string }): Promise<void>;
  /** Drops the protocol's state of the group (an HTTP join takes it over). */
  forget(sql: Sql, groupId: number): Promise<void>;
}

/** Where a protocol above consumer groups plugs in (filled by the Kafka module); empty: HTTP alone. */
@Injectable()
export class ConsumerGroupHooks {
  readonly otherProtocol = new Slot<OtherGroupProtocol>();
}
