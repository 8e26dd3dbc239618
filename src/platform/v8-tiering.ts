import { setFlagsFromString } from 'node:v8';

/**
 * How much bytecode a function runs (three times over) before V8 optimises it with TurboFan:
 * 512 KiB, about 8× Node 20's default of 66 KiB.
 *
 * Why: a job taken one at a time (one produce, one share fetch) runs about 500 functions in the
 * broker, in Node's HTTP, Fastify, Nest and Shoal, each a few times per job. At the default
 * budget each of them reaches TurboFan at its own moment over a fresh broker's first few
 * thousand jobs, and those compiles (and the recompiles after deoptimisations) run on V8's
 * background threads beside the event loop: on a 2-core machine shared with the clients, they
 * are what the slowest jobs wait on. Code that runs per record (a 1,000-record produce's
 * parsing and encoding) still reaches the budget within its first requests. Measured with the
 * peer kit's transport script (`docs/performance.md`, round eight): add→handler p99 ~8.1 →
 * ~6.9 ms; enqueue and drain medians 2–7 % lower, inside their run-to-run spread. At 1 MiB
 * the enqueue of a fresh broker fell ~12 %, with no better p99.
 */
export const INTERRUPT_BUDGET = 512 * 1024;

/**
 * Sets V8's `--interrupt-budget` to {@link INTERRUPT_BUDGET} unless the process was started
 * with one of its own (`node --interrupt-budget=N dist/src/main.js`, which then wins). Runs
 * before the broker's modules do their work, so their functions count against the new budget.
 * Answers the budget it set, or undefined when it left the command line's. `setFlags`: V8's
 * own by default (the unit test passes its own, so the test process keeps its flags).
 */
export function tuneTiering(
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): number | undefined {
  if (execArgv.some((argument) => /^--interrupt[-_]budget(=|$)/.test(argument))) return undefined;
  setFlags(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  return INTERRUPT_BUDGET;
}
