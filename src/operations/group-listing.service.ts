import { Injectable } from '@nestjs/common';
import type { GroupList, GroupListing } from '@shoal/protocol';
import { UnknownGroupError } from '../platform/errors/index.js';
import { Database } from '../storage/database.js';
import { operationsStore } from './storage/operations.store.js';
import { ConsumerGroupService } from '../consumer-groups/consumer-group.service.js';
import { ShareGroupService } from '../share-groups/share-group.service.js';

/** A page of consumer or share groups in name order, each with its state, member count and total lag. */
@Injectable()
export class GroupListingService {
  constructor(
    private readonly database: Database,
    private readonly consumerGroups: ConsumerGroupService,
    private readonly shareGroups: ShareGroupService,
  ) {}

  async list(kind: 'consumer' | 'share', after: string, limit: number): Promise<GroupList> {
    const names = await this.database.run((sql) => operationsStore.groupNames(sql, kind, after, limit + 1));
    const page = names.slice(0, limit);
    const groups: GroupListing[] = [];
    for (const name of page) {
      const listing = await this.describe(kind, name).catch((error: unknown) => {
        if (error instanceof UnknownGroupError) return null; // deleted meanwhile
        throw error;
      });
      if (listing) groups.push(listing);
    }
    return { groups, next: names.length > limit ? page[page.length - 1] : null };
  }

  private async describe(kind: 'consumer' | 'share', name: string): Promise<GroupListing> {
    if (kind === 'consumer') {
      const d = await this.consumerGroups.describe(name);
      return {
        name,
        state: d.state,
        members: d.members.length,
        lag: sum(d.offsets.map((o) => o.lag)),
        protocol: d.protocol,
      };
    }
    const d = await this.shareGroups.describe(name);
    return {
      name,
      state: d.members.length === 0 ? 'empty' : 'stable',
      members: d.members.length,
      lag: sum(d.partitions.map((p) => p.lag)),
    };
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
