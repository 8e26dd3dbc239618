import { Module } from '@nestjs/common';
import { LogModule } from '../log/log.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { ScheduledRecordsController } from './http/scheduled-records.controller.js';
import { SchedulesController } from './http/schedules.controller.js';
import { JobProduceService } from './job-produce.service.js';
import { ScheduledDeliveryService } from './scheduled-delivery.service.js';
import { ScheduledRecordService } from './scheduled-record.service.js';
import { ScheduleService } from './schedule.service.js';

/** Scheduled records, repeating schedules and idempotency keys (produce's detour: `ProduceHooks`). */
@Module({
  imports: [StorageModule, LogModule],
  controllers: [SchedulesController, ScheduledRecordsController],
  providers: [JobProduceService, ScheduledDeliveryService, ScheduledRecordService, ScheduleService],
})
export class JobsModule {}
