import { Controller, Get, Param, Query } from '@nestjs/common';
import type { GroupList, GroupListQuery, InFlightQuery, InFlightRecordList } from '@shoal/protocol';
import { GroupListingService } from '../group-listing.service.js';
import { ShareInFlightService } from '../share-in-flight.service.js';
import { GroupNamePipe, TopicNamePipe } from '../../http/validation/name.pipe.js';
import { PartitionPipe } from '../../http/validation/partition.pipe.js';

/** Group lists and a share-partition's in-flight records: what operator tools read. */
@Controller('v1')
export class GroupListsController {
  constructor(
    private readonly listing: GroupListingService,
    private readonly inFlight: ShareInFlightService,
  ) {}

  @Get('consumer-groups')
  consumerGroups(@Query() query: GroupListQuery): Promise<GroupList> {
    return this.listing.list('consumer', query.after ?? '', query.limit);
  }

  @Get('share-groups')
  shareGroups(@Query() query: GroupListQuery): Promise<GroupList> {
    return this.listing.list('share', query.after ?? '', query.limit);
  }

  @Get('share-groups/:group/topics/:topic/partitions/:partition/in-flight')
  inFlightRecords(
    @Param('group', GroupNamePipe) group: string,
    @Param('topic', TopicNamePipe) topic: string,
    @Param('partition', PartitionPipe) partition: number,
    @Query() query: InFlightQuery,
  ): Promise<InFlightRecordList> {
    return this.inFlight.list(group, topic, partition, query.offset, query.maxRecords);
  }
}
