import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import type {
  CommitOffsetsRequest,
  ConsumerFetchRequest,
  ConsumerFetchResponse,
  ConsumerGroupDescription,
  ConsumerHeartbeatResponse,
  JoinConsumerGroupRequest,
  JoinConsumerGroupResponse,
  ResetOffsetsRequest,
} from '@shoal/protocol';
import { parseResetTarget } from '../../log/domain/reset-target.js';
import { ConsumerFetchService } from '../consumer-fetch.service.js';
import { ConsumerGroupService } from '../consumer-group.service.js';
import { MemberOwnerInterceptor } from '../../security/http/member-owner.interceptor.js';
import { GroupNamePipe } from '../../http/validation/name.pipe.js';
import { LongPollTiming } from '../../http/request-timing.js';
import type { WaitTiming } from '../../platform/change-signal.js';

@Controller('v1/consumer-groups/:group')
export class ConsumerGroupsController {
  constructor(
    private readonly groups: ConsumerGroupService,
    private readonly fetcher: ConsumerFetchService,
  ) {}

  @Post('members')
  @UseInterceptors(MemberOwnerInterceptor)
  join(
    @Param('group', GroupNamePipe) group: string,
    @Body() body: JoinConsumerGroupRequest,
  ): Promise<JoinConsumerGroupResponse> {
    return this.groups.join(group, body);
  }

  @Post('members/:memberId/heartbeat')
  @HttpCode(200)
  heartbeat(
    @Param('group', GroupNamePipe) group: string,
    @Param('memberId') memberId: string,
  ): Promise<ConsumerHeartbeatResponse> {
    return this.groups.heartbeat(group, memberId);
  }

  @Delete('members/:memberId')
  @HttpCode(204)
  async leave(@Param('group', GroupNamePipe) group: string, @Param('memberId') memberId: string): Promise<void> {
    await this.groups.leave(group, memberId);
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
      maxRecords: body.maxRecords ?? 500,
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

  @Post('offsets/reset')
  @HttpCode(200)
  async reset(
    @Param('group', GroupNamePipe) group: string,
    @Body() body: ResetOffsetsRequest,
  ): Promise<Record<string, never>> {
    await this.groups.resetOffsets(group, body.topic, body.partition, parseResetTarget(body.to));
    return {};
  }

  @Get()
  describe(@Param('group', GroupNamePipe) group: string): Promise<ConsumerGroupDescription> {
    return this.groups.describe(group);
  }

  @Delete()
  @HttpCode(204)
  async delete(@Param('group', GroupNamePipe) group: string): Promise<void> {
    await this.groups.delete(group);
  }
}
