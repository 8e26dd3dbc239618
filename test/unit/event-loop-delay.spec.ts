import { setTimeout as wait } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { EventLoopDelay } from '../../src/metrics/event-loop-delay.js';

/** The gauge's value for one quantile, read as a scrape does. */
async function delay(registry: Registry, quantile: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'shoal_event_loop_delay_seconds');
  const value = metric?.values.find((v) => v.labels.quantile === quantile)?.value;
  if (value === undefined) throw new Error(`no quantile ${quantile}`);
  return value;
}

function holdTheLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until); // a synchronous statement would hold it the same way
}

describe(EventLoopDelay.name, () => {
  it('reports how long the loop was held, the timer period taken off, for the window since the previous scrape', async () => {
    const registry = new Registry();
    const monitor = new EventLoopDelay(registry);
    try {
      await wait(30);
      await delay(registry, '1'); // opens a fresh window
      await wait(30);
      holdTheLoop(300);
      await wait(30);
      const held = await delay(registry, '1');
      expect(held).toBeGreaterThanOrEqual(0.28);
      expect(held).toBeLessThan(1);
      expect(await delay(registry, '0.5')).toBeLessThanOrEqual(held);

      await wait(30);
      // The held loop belonged to the previous window.
      expect(await delay(registry, '1')).toBeLessThan(held);
    } finally {
      monitor.stop();
    }
  });
});
