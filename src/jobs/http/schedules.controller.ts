import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { ScheduleDescription, ScheduleList, ScheduleView } from '@shoal/protocol';
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';
import { ScheduleService } from '../schedule.service.js';
import { parseScheduleBody } from './schedule.dto.js';
import { ScheduleNamePipe } from '../../http/validation/schedule-name.pipe.js';

/** Repeating jobs: create or replace, list, describe (next runs), pause, resume, delete. */
@Controller('v1/schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: ScheduleService,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
  ) {}

  @Post()
  @HttpCode(201)
  upsert(@Body() body: unknown): Promise<ScheduleView> {
    return this.schedules.upsert(parseScheduleBody(body, this.config.maxRecordBytes));
  }

  @Get()
  list(): Promise<ScheduleList> {
    return this.schedules.list();
  }

  @Get(':name')
  describe(@Param('name', ScheduleNamePipe) name: string): Promise<ScheduleDescription> {
    return this.schedules.describe(name);
  }

  @Post(':name/pause')
  @HttpCode(200)
  pause(@Param('name', ScheduleNamePipe) name: string): Promise<ScheduleView> {
    return this.schedules.setPaused(name, true);
  }

  @Post(':name/resume')
  @HttpCode(200)
  resume(@Param('name', ScheduleNamePipe) name: string): Promise<ScheduleView> {
    return this.schedules.setPaused(name, false);
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@Param('name', ScheduleNamePipe) name: string): Promise<void> {
    await this.schedules.delete(name);
  }
}
