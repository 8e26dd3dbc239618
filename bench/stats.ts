import { percentile } from './harness.js';

/** p50, p99 and mean of a sample of ms. */
export interface Summary {
  p50: number;
  p99: number;
  mean: number;
}

export function summarize(sample: readonly number[]): Summary {
  const sorted = Float64Array.from(sample).sort();
  let sum = 0;
  for (const ms of sorted) sum += ms;
  return {
    p50: percentile(sorted as unknown as number[], 50),
    p99: percentile(sorted as unknown as number[], 99),
    mean: sum / sorted.length,
  };
}

/** A 95 % interval and the point estimate of a statistic. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/**
 * Percentile bootstrap of `p`(a) − `p`(b) for two paired samples (a[i] and b[i] were timed in the
 * same round, one after the other): rounds are drawn with replacement, so whatever slowed a round
 * for both rows stays paired. Answers the difference on the whole sample and its 95 % interval.
 */
export function pairedPercentileDifference(
  a: readonly number[],
  b: readonly number[],
  p: number,
  resamples = 1_000,
): Interval {
  const n = Math.min(a.length, b.length);
  const at = (sorted: Float64Array) => percentile(sorted as unknown as number[], p);
  const ra = new Float64Array(n);
  const rb = new Float64Array(n);
  const diffs = new Float64Array(resamples);
  let seed = 0x2545f491;
  const random = () => {
    // xorshift32: reproducible intervals for one sample, no dependency.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(random() * n);
      ra[i] = a[k];
      rb[i] = b[k];
    }
    diffs[r] = at(ra.sort()) - at(rb.sort());
  }
  diffs.sort();
  return {
    estimate: at(Float64Array.from(a.slice(0, n)).sort()) - at(Float64Array.from(b.slice(0, n)).sort()),
    low: diffs[Math.floor(0.025 * resamples)],
    high: diffs[Math.min(resamples - 1, Math.floor(0.975 * resamples))],
  };
}

/** Share − Kafka at p50 and p99, with a paired bootstrap 95 % interval (resampling rounds). */
export function printDifferences(share: readonly number[], kafka: readonly number[]): void {
  for (const p of [50, 99]) {
    const d = pairedPercentileDifference(share, kafka, p);
    console.log(
      `share − Kafka p${p}: ${d.estimate.toFixed(2)} ms, 95 % interval [${d.low.toFixed(2)}, ${d.high.toFixed(2)}] (${share.length} calls each)`,
    );
  }
}
