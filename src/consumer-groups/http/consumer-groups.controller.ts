import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import type {
  CommitOffsetsRequest,
  ConsumerFetchRequest,
  ConsumerFetchResponse,
  ConsumerGroupDescription,
  ConsumerHeartbeatResponse,
  JoinConsumerGroupRequest,
  JoinConsumerGroupResponse,
} from '@shoal/protocol';
import { ConsumerFetchService } from '../consumer-fetch.service.js';
import { ConsumerGroupService } from '../consumer-group.service.js';
import { GroupRoutesController } from '../../groups/http/group-routes.controller.js';
import { GroupNamePipe } from '../../http/validation/name.pipe.js';
import { LongPollTiming } from '../../http/request-timing.js';
import type { WaitTiming } from '../../platform/change-signal.js';
import { DEFAULT_FETCH_RECORDS } from '../../platform/limits.js';

/** Join, heartbeat, leave, describe, reset and delete come from {@link GroupRoutesController}. */
@Controller('v1/consumer-groups/:group')
export class ConsumerGroupsController extends GroupRoutesController<
  JoinConsumerGroupRequest,
  JoinConsumerGroupResponse,
  ConsumerHeartbeatResponse,
  ConsumerGroupDescription
> {
  constructor(
    protected readonly groups: ConsumerGroupService,
    private readonly fetcher: ConsumerFetchService,
  ) {
    super();
  }

  @Post('members/:memberId/fetch')
  @HttpCode(200)
  fetch(
    @Param('group', GroupNamePipe) group: string,
    @Param('memberId') memberId: string,
    @Body() body: ConsumerFetchRequest,
    @LongPollTiming() timing: WaitTiming | undefined,
  ): Promise<ConsumerFetchResponse> {
    return this.fetcher.fetch(group, memberId, {
      maxRecords: body.maxRecords ?? DEFAULT_FETCH_RECORDS,
      maxWaitMs: body.maxWaitMs ?? 0,
      timing,
    });
  }

  @Post('offsets')
  @HttpCode(200)
  async commit(
    @Param('group', GroupNamePipe) group: string,
    @Body() body: CommitOffsetsRequest,
  ): Promise<Record<string, never>> {
    await this.groups.commit(group, body.memberId, body.generation, body.offsets);
    return {};
  }
}
