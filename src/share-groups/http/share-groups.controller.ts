import { Body, Controller, Header, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
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
import { deferredAuth, KeyCheck, KeysAppeared } from '../../security/deferred-auth.js';
import { producesAny } from '../producing-acks.js';

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
    @Req() httpRequest: FastifyRequest,
  ): Promise<string> {
    // The auth check may ride on the statement that opens the group (security/deferred-auth.ts);
    // a request refused before that, or whose acks produce, gets the whole check first.
    let recheck = deferredAuth.recheck(httpRequest);
    let request: ReturnType<typeof parseShareFetch> & { timing?: WaitTiming; keyCheck?: KeyCheck };
    try {
      request = { ...parseShareFetch(body, this.config.maxRecordBytes), timing };
    } catch (error) {
      await recheck?.(false);
      throw error;
    }
    if (recheck && producesAny(request)) {
      await recheck(false);
      recheck = undefined;
    }
    const keyCheck = recheck && new KeyCheck();
    let fetched: Awaited<ReturnType<ShareFetchService['fetchProducing']>>;
    try {
      fetched = await this.fetcher.fetchProducing(group, memberId, { ...request, keyCheck });
    } catch (error) {
      if (!recheck) throw error;
      if (error instanceof KeysAppeared) {
        // A key exists now: the whole check (401/403 as usual), then the fetch.
        await recheck(true);
        fetched = await this.fetcher.fetchProducing(group, memberId, request);
      } else {
        if (keyCheck?.pending) await recheck(false); // failed before its check: the check's answer first
        throw error;
      }
    }
    const { records, ackResults, produced } = fetched;
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
