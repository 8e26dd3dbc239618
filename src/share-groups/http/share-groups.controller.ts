import { Body, Controller, Header, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import type {
  AcknowledgeResponse,
  JobProgressRequest,
  JobProgressResponse,
  JoinShareGroupRequest,
  JoinShareGroupResponse,
  ShareGroupConfigRequest,
  ShareGroupConfigView,
  ShareGroupDescription,
  ShareHeartbeatResponse,
} from '@shoal/protocol';
import { ShareFetchService } from '../share-fetch.service.js';
import { ShareGroupService } from '../share-group.service.js';
import { acquiredRecordsJson } from './acquired-records.json.js';
import { parseAcknowledge, parseShareFetch, progressJson } from './share-group.dto.js';
import { GroupRoutesController } from '../../groups/http/group-routes.controller.js';
import { GroupNamePipe } from '../../http/validation/name.pipe.js';
import { LongPollTiming } from '../../http/request-timing.js';
import type { WaitTiming } from '../../platform/change-signal.js';
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';

/** Join, heartbeat, leave, describe, reset and delete come from {@link GroupRoutesController}. */
@Controller('v1/share-groups/:group')
export class ShareGroupsController extends GroupRoutesController<
  JoinShareGroupRequest,
  JoinShareGroupResponse,
  ShareHeartbeatResponse,
  ShareGroupDescription
> {
  constructor(
    protected readonly groups: ShareGroupService,
    private readonly fetcher: ShareFetchService,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
  ) {
    super();
  }

  /**
   * Answers a `ShareFetchResponse`, written as JSON here: record values and headers go out as
   * the text they were stored as, never parsed and re-serialized.
   */
  @Post('members/:memberId/fetch')
  @HttpCode(200)
  @Header('content-type', 'application/json; charset=utf-8')
  async fetch(
    @Param('group', GroupNamePipe) group: string,
    @Param('memberId') memberId: string,
    @Body() body: unknown,
    @LongPollTiming() timing: WaitTiming | undefined,
  ): Promise<string> {
    const request = { ...parseShareFetch(body, this.config.maxRecordBytes), timing };
    const { records, ackResults, produced } = await this.fetcher.fetchProducing(group, memberId, request);
    const also = produced ? `,"produced":${JSON.stringify(produced)}` : '';
    return `{"records":${acquiredRecordsJson(records)},"ackResults":${JSON.stringify(ackResults)}${also}}`;
  }

  @Post('members/:memberId/acks')
  @HttpCode(200)
  async acknowledge(
    @Param('group', GroupNamePipe) group: string,
    @Param('memberId') memberId: string,
    @Body() body: unknown,
  ): Promise<AcknowledgeResponse> {
    return this.fetcher.acknowledgeProducing(group, memberId, parseAcknowledge(body, this.config.maxRecordBytes));
  }

  /** A job's progress, stored with the record the member holds; renews its lock. */
  @Post('members/:memberId/progress')
  @HttpCode(200)
  progress(
    @Param('group', GroupNamePipe) group: string,
    @Param('memberId') memberId: string,
    @Body() body: JobProgressRequest,
  ): Promise<JobProgressResponse> {
    const { topic, partition, offset, value } = body;
    return this.fetcher.progress(group, memberId, { topic, partition, offset }, progressJson(value));
  }

  @Patch('config')
  updateConfig(
    @Param('group', GroupNamePipe) group: string,
    @Body() body: ShareGroupConfigRequest,
  ): Promise<ShareGroupConfigView> {
    return this.groups.updateConfig(group, body);
  }
}
