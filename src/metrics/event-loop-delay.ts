import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** How often the monitor's timer fires; a sample is the time between two firings. */
const RESOLUTION_MS = 10;
const QUANTILES = [0.5, 0.9, 0.99] as const;

/**
 * `shoal_event_loop_delay_seconds{quantile}`: how late this process's event loop ran a timer
 * (`perf_hooks.monitorEventLoopDelay`), over the window since the previous scrape of this
 * process; quantile "1" is the window's maximum. Node records the whole interval between
 * firings, so the timer's own period is taken off: an idle loop reads ~0, a loop that a 50 ms
 * statement held reads ~40 ms (the time the timer waited past its due).
 */
export class EventLoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  constructor(registry: Registry) {
    this.histogram.enable();
    const histogram = this.histogram;
    new Gauge({
      name: 'shoal_event_loop_delay_seconds',
      help: 'Event-loop delay of this broker process since the previous scrape, by quantile ("1" is the maximum).',
      labelNames: ['quantile'],
      registers: [registry],
      collect() {
        const delay = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS) / 1000;
        const sampled = histogram.count > 0;
        for (const q of QUANTILES)
          this.set({ quantile: String(q) }, sampled ? delay(histogram.percentile(q * 100)) : 0);
        this.set({ quantile: '1' }, sampled ? delay(histogram.max) : 0);
        histogram.reset();
      },
    });
  }

  stop(): void {
    this.histogram.disable();
  }
}
