import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { WaitTiming } from '../platform/change-signal.js';

/**
 * Each request's long-poll waits, set up before its handler runs (see `instrumentHttp` in
 * app.factory): request latency leaves them out, and they go to a histogram of their own.
 */
export const requestTimings = new WeakMap<object, WaitTiming>();

/**
 * The request's {@link WaitTiming}, for a route that long-polls to hand to its service (which
 * passes it to `ChangeSignal.waiter`). Passed by hand, not found through an AsyncLocalStorage:
 * that put a hook on every promise of every request.
 */
export const LongPollTiming = createParamDecorator((_: unknown, context: ExecutionContext): WaitTiming | undefined =>
  requestTimings.get(context.switchToHttp().getRequest<object>()),
);
