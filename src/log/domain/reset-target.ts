import type { ResetTarget } from '@shoal/protocol';
import { InvalidRequestError } from '../../platform/errors/index.js';

/** Checks an offset reset's `to`: "earliest", "latest", `{offset}` or `{timestamp}`. */
export function parseResetTarget(to: unknown): ResetTarget {
  if (to === 'earliest' || to === 'latest') return to;
  if (typeof to === 'object' && to !== null && !Array.isArray(to)) {
    const keys = Object.keys(to);
    const value = (to as Record<string, unknown>)[keys[0]];
    if (
      keys.length === 1 &&
      (keys[0] === 'offset' || keys[0] === 'timestamp') &&
      Number.isSafeInteger(value) &&
      (value as number) >= 0
    ) {
      return keys[0] === 'offset' ? { offset: value as number } : { timestamp: value as number };
    }
  }
  throw new InvalidRequestError(
    'to must be "earliest", "latest", {"offset": n} or {"timestamp": ms} with a non-negative integer',
  );
}
