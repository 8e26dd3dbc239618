import { Body, Delete, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import type { ResetOffsetsRequest, ResetTarget } from '@shoal/protocol';
import { parseResetTarget } from '../../log/domain/reset-target.js';
import { MemberOwnerInterceptor } from '../../security/http/member-owner.interceptor.js';
import { GroupNamePipe } from '../../http/validation/name.pipe.js';

/** What a group service does for the routes consumer groups and share groups have in common. */
export interface GroupRoutesService<JoinBody, Joined, Beat, Description> {
  join(group: string, body: JoinBody): Promise<Joined>;
  heartbeat(group: string, memberId: string): Promise<Beat>;
  leave(group: string, memberId: string): Promise<void>;
  describe(group: string): Promise<Description>;
  resetOffsets(group: string, topic: string, partition: number | undefined, to: ResetTarget): Promise<void>;
  delete(group: string): Promise<void>;
}

/**
 * The routes both kinds of group serve under `v1/<kind>-groups/:group`: join, heartbeat, leave,
 * describe, offset reset and delete. Each controller extends it with its own service and routes.
 */
export abstract class GroupRoutesController<JoinBody, Joined, Beat, Description> {
  protected abstract readonly groups: GroupRoutesService<JoinBody, Joined, Beat, Description>;

  @Post('members')
  @UseInterceptors(MemberOwnerInterceptor)
  join(@Param('group', GroupNamePipe) group: string, @Body() body: JoinBody): Promise<Joined> {
    return this.groups.join(group, body);
  }

  @Post('members/:memberId/heartbeat')
  @HttpCode(200)
  heartbeat(@Param('group', GroupNamePipe) group: string, @Param('memberId') memberId: string): Promise<Beat> {
    return this.groups.heartbeat(group, memberId);
  }

  @Delete('members/:memberId')
  @HttpCode(204)
  async leave(@Param('group', GroupNamePipe) group: string, @Param('memberId') memberId: string): Promise<void> {
    await this.groups.leave(group, memberId);
  }

  @Get()
  describe(@Param('group', GroupNamePipe) group: string): Promise<Description> {
    return this.groups.describe(group);
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
