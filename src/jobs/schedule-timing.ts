import { Cron } from 'croner';
import { InvalidRequestError } from '../platform/errors/index.js';

/** When a repeating job ticks: a cron pattern in a timezone, or a fixed interval from an anchor. */
export interface ScheduleTiming {
  cron: string | null;
  everyMs: number | null;
  timezone: string | null;
  /** For `everyMs`: ticks fall on anchor + k × everyMs. */
  anchor: number;
}

/** The first tick strictly after `after`; null if the pattern never fires again. */
export function nextTick(timing: ScheduleTiming, after: number): number | null {
  if (timing.everyMs !== null) {
    const k = Math.floor((after - timing.anchor) / timing.everyMs) + 1;
    return timing.anchor + Math.max(1, k) * timing.everyMs;
  }
  const next = cronOf(timing).nextRun(new Date(after));
  return next === null ? null : next.getTime();
}

/** The next `count` ticks after `after`. */
export function nextTicks(timing: ScheduleTiming, after: number, count: number): number[] {
  const ticks: number[] = [];
  let at = after;
  while (ticks.length < count) {
    const next = nextTick(timing, at);
    if (next === null) break;
    ticks.push(next);
    at = next;
  }
  return ticks;
}

/** Checks a pattern and timezone up front: a bad one is 400 INVALID_REQUEST naming the problem. */
export function assertTiming(timing: ScheduleTiming, now: number): void {
  try {
    if (nextTick(timing, now) === null) throw new Error('it never fires after now');
  } catch (error) {
    if (error instanceof InvalidRequestError) throw error;
    throw new InvalidRequestError(`cron ${JSON.stringify(timing.cron)}: ${(error as Error).message.slice(0, 300)}`);
  }
}

function cronOf(timing: ScheduleTiming): Cron {
  return new Cron(timing.cron!, { timezone: timing.timezone ?? 'UTC', paused: true });
}
