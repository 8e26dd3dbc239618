import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, UseInterceptors } from '@nestjs/common';
import type {
  AckResult,
  JoinShareGroupRequest,
  JoinShareGroupResponse,
  ResetOffsetsRequest,
  ShareGroupConfigRequest,
  ShareGroupConfigView,
  ShareGroupDescription,
  TopicPartition,
} from '@shoal/protocol';
import { parseResetTarget } from '../../log/domain/reset-target.js';
import { ShareFetchService } from '../share-fetch.service.js';
import { ShareGroupService } from '../share-group.service.js';
import { acquiredRecordsJson } from '../../log/domain/record-codec.js';
import { parseAcknowledge, parseShareFetch } from './share-group.dto.js';
import { MemberOwnerInterceptor } from '../../security/http/member-owner.interceptor.js';
import { GroupNamePipe } from '../../http/validation/name.pipe.js';
import { LongPollTiming } from '../../http/request-timing.js';
import type { WaitTiming } from '../../platform/change-signal.js';

@Controller('v1/share-groups/:group')
export class ShareGroupsController {
  constructor(
    private readonly groups: ShareGroupService,
    private readonly fetcher: ShareFetchService,
  ) {}

  @Post('members')
  @UseInterceptors(MemberOwnerInterceptor)
  join(
    @Param('group', GroupNamePipe) group: string,
    @Body() body: JoinShareGroupRequest,
  ): Promise<JoinShareGroupResponse> {
    return this.groups.join(group, body);
  }

  @Post('members/:memberId/heartbeat')
  @HttpCode(200)
  heartbeat(
    @Param('group', GroupNamePipe) group: string,
    @Param('memberId') memberId: string,
  ): Promise<{ assignment: TopicPartition[] }> {
    return this.groups.heartbeat(group, memberId);
  }

  @Delete('members/:memberId')
  @HttpCode(204)
  async leave(@Param('group', GroupNamePipe) group: string, @Param('memberId') memberId: string): Promise<void> {
    await this.groups.leave(group, memberId);
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
    const { records, ackResults } = await this.fetcher.fetch(group, memberId, { ...parseShareFetch(body), timing });
    return `{"records":${acquiredRecordsJson(records)},"ackResults":${JSON.stringify(ackResults)}}`;
  }

  @Post('members/:memberId/acks')
  @HttpCode(200)
  async acknowledge(
    @Param('group', GroupNamePipe) group: string,
    @Param('memberId') memberId: string,
    @Body() body: unknown,
  ): Promise<{ results: AckResult[] }> {
    return { results: await this.fetcher.acknowledge(group, memberId, parseAcknowledge(body)) };
  }

  @Get()
  describe(@Param('group', GroupNamePipe) group: string): Promise<ShareGroupDescription> {
    return this.groups.describe(group);
  }

  @Patch('config')
  updateConfig(
    @Param('group', GroupNamePipe) group: string,
    @Body() body: ShareGroupConfigRequest,
  ): Promise<ShareGroupConfigView> {
    return this.groups.updateConfig(group, body);
  }

  @Post('offsets/reset')
  @HttpCode(200)
  async reset(
    @Param('group', GroupNamePipe) group: string,
    @Body() body: ResetOffsetsRequest,
  ): Promise<Record<string, never>> {
    await this.groups.resetOffsets(group, body.topic, body.partition, parseResetTarget(body.to));
    return {};
  }

  @Delete()
  @HttpCode(204)
  async delete(@Param('group', GroupNamePipe) group: string): Promise<void> {
    await this.groups.delete(group);
  }
}
