import { Inject, Injectable } from '@nestjs/common';
import { type Clock, CLOCK } from '../platform/clock.js';
import { ProduceHooks } from '../log/produce.hooks.js';
import { ShareGroupCoordinator } from '../share-groups/share-group.coordinator.js';
import { ShareGroupHooks } from '../share-groups/share-group.hooks.js';
import { ShoalMetrics } from './shoal-metrics.js';

/** Connects the metrics to what they count through the features' hooks: the features import no metrics. */
@Injectable()
export class MetricsSources {
  constructor(
    metrics: ShoalMetrics,
    produce: ProduceHooks,
    shares: ShareGroupHooks,
    shareGroups: ShareGroupCoordinator,
    @Inject(CLOCK) clock: Clock,
  ) {
    produce.produced.add((topic, records, bytes) => metrics.produced(topic, records, bytes));
    shares.activity.add((group, activity) => metrics.shareActivity(group, activity));
    // The share gauges show the state in force: expired locks and sessions applied at scrape time.
    metrics.beforeScrape('share-group sweep', () => shareGroups.sweep(clock.now()));
  }
}
