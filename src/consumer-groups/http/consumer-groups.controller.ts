import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type {
  CommitOffsetsResponse,
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
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';
import { parseCommitOffsets } from './commit-offsets.dto.js';

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
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
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

  /** Commits offsets; a `produce` list is appended in the same transaction, fenced alike. */
  @Post('offsets')
  @HttpCode(200)
  async commit(@Param('group', GroupNamePipe) group: string, @Body() raw: unknown): Promise<CommitOffsetsResponse> {
    const body = parseCommitOffsets(raw, this.config.maxRecordBytes);
    const produced = await this.groups.commit(group, body.memberId, body.generation, body.offsets, body.produce);
    return body.produce === undefined ? {} : { produced };
  }
}
