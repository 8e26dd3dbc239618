// Jest runs the suites on four workers (package.json `test:jest`; two cores, but many suites mostly wait). Most of them start their
// brokers on free ports, in their own temp dirs and databases, and share nothing. The few that
// run several broker and worker processes for minutes would, side by side, contend for the two
// cores their timing assumes: this order keeps them apart. Each heavy suite is followed by
// enough lighter suites (by jest's recorded durations, else an estimate) to keep the other
// workers busy for most of the time the heavy one runs, so the next heavy suite starts about
// when it ends.
import { relative } from 'node:path';
import TestSequencerModule from '@jest/test-sequencer';

const TestSequencer = TestSequencerModule.default ?? TestSequencerModule;

/**
 * Multi-process suites, with their duration in a whole run on the 2-core machine (ms) when jest
 * has none (a fresh clone: CI).
 */
export const HEAVY_SUITES = new Map([
  ['test/e2e/three-brokers.e2e.spec.ts', 70_000],
  ['test/e2e/transport-processes.e2e.spec.ts', 110_000],
  ['test/e2e/transport-queues.e2e.spec.ts', 70_000],
  // Their own PostgreSQL servers, stopped or killed under load, with one and three brokers.
  ['test/e2e/storage-outage.e2e.spec.ts', 90_000],
  ['test/e2e/storage-failover.e2e.spec.ts', 20_000],
  // A job chain's workers and brokers SIGKILLed, on SQLite and on three brokers over PostgreSQL.
  ['test/e2e/chain-crash.e2e.spec.ts', 40_000],
]);
/**
 * What the other workers must have queued after a heavy suite, relative to its duration: the
 * three other workers take 2.5 times its duration in light suites in about 0.83 of it (with
 * three workers and 1.5 it was 0.75).
 */
const MARGIN = 2.5;
/** A suite jest has not timed: about the mean of the whole run (1,540 s over 143 suites). */
const UNKNOWN_MS = 10_000;

/**
 * Orders `tests` (each with `path` and an optional `duration`, longest first) so that between two
 * heavy suites come light ones worth MARGIN times the first heavy suite's duration. The heavy
 * suites go longest first, so the last to start is a short one: no long suite left for the end.
 */
export function keepHeavyApart(tests, rootDir, heavy = HEAVY_SUITES) {
  const key = (test) => relative(rootDir, test.path).split('\\').join('/');
  const duration = (test) => test.duration ?? heavy.get(key(test)) ?? UNKNOWN_MS;
  const heavyTests = tests.filter((t) => heavy.has(key(t))).sort((a, b) => duration(b) - duration(a));
  const light = tests.filter((t) => !heavy.has(key(t)));
  const order = [];
  for (const test of heavyTests) {
    order.push(test);
    for (let budget = duration(test) * MARGIN; budget > 0 && light.length > 0;) {
      const next = light.shift();
      order.push(next);
      budget -= duration(next);
    }
  }
  return [...order, ...light];
}

export default class SuiteOrderSequencer extends TestSequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const rootDir = sorted[0]?.context.config.rootDir ?? process.cwd();
    return keepHeavyApart(sorted, rootDir);
  }
}
