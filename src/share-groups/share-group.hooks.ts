import { Injectable } from '@nestjs/common';
import type { ShareGroupDescription } from '@shoal/protocol';
import type { ShareActivityCounts } from './domain/share-activity.js';
import { Listeners, Slot } from '../platform/hooks.js';
import type { Sql } from '../storage/database.js';

/** Another protocol whose members join share groups too (Kafka's ShareGroupHeartbeat). */
export interface OtherShareProtocol {
  readonly name: NonNullable<ShareGroupDescription['members'][number]['protocol']>;
  /** The (whole) ids of the group's members that joined over it, inside the caller's transaction. */
  memberIds(sql: Sql, group: string): Promise<string[]>;
}

/** Where the layers above share groups plug in (share groups import none of them). */
@Injectable()
export class ShareGroupHooks {
  /** What each committed transaction of a group did (`ShoalMetrics` counts it). */
  readonly activity = new Listeners<[group: string, activity: ShareActivityCounts]>();
  /** Filled by the Kafka module; empty: every member is an HTTP one. */
  readonly otherProtocol = new Slot<OtherShareProtocol>();
}
