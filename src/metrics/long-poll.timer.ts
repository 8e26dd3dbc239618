import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { ChangeSignal, type ChangeWaiter } from '../common/change-signal.js';

/** Time one HTTP request spent in long-poll waits. */
export interface RequestTiming {
  waitedMs: number;
}

const current = new AsyncLocalStorage<RequestTiming>();

/** Runs `next` (the rest of a request's handling) with `timing` collecting its long-poll waits. */
export function withRequestTiming(timing: RequestTiming, next: () => void): void {
  current.run(timing, next);
}

/**
 * The change signal, with each wait's duration added to the request it serves, so request
 * latency can leave out the time a long poll spent waiting for data (that time goes to its own
 * histogram). Services use it as the plain `ChangeSignal`.
 */
@Injectable()
export class TimedChangeSignal extends ChangeSignal {
  override waiter(keys: string[]): ChangeWaiter {
    const inner = super.waiter(keys);
    return {
      cancel: () => inner.cancel(),
      wait: async (ms) => {
        const timing = current.getStore();
        const started = performance.now();
        try {
          return await inner.wait(ms);
        } finally {
          if (timing) timing.waitedMs += performance.now() - started;
        }
      },
    };
  }
}
