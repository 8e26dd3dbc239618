import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LogModule } from '../log/log.module.js';
import { ShareGroupsModule } from '../share-groups/share-groups.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { HealthController } from './http/health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsSources } from './metrics.sources.js';
import { ShoalMetrics } from './shoal-metrics.js';
import { StateExporterLease } from './state-exporter.lease.js';

/** `/metrics` and `/health`: counters fed through the features' hooks, state gauges read from the database. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), StorageModule, LogModule, ShareGroupsModule],
  controllers: [HealthController, MetricsController],
  providers: [ShoalMetrics, StateExporterLease, MetricsSources],
  exports: [ShoalMetrics],
})
export class MetricsModule {}
