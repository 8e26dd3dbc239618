import { ShoalApiError } from '@shoal/client';
import { ErrorCode, MAX_ACK_REASON_LENGTH } from '@shoal/protocol';
import type { ShoalServerOptions } from '../shoal-transport.options.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The release delay after an unexpected error: doubling per delivery, capped. */
export function backoff(options: ShoalServerOptions, deliveryCount: number): number {
  const base = options.retryDelayMs ?? 1_000;
  return Math.min(options.maxRetryDelayMs ?? 60_000, base * 2 ** Math.max(0, deliveryCount - 1));
}

/** Delays between tries after repeated failures: doubling from `minMs` up to `maxMs`, jittered to 50–100 %. */
export class Backoff {
  attempts = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** this.attempts++);
    return ceiling * (0.5 + Math.random() / 2);
  }

  reset(): void {
    this.attempts = 0;
  }
}

/**
 * Why a handler failed, as a reject or release carries it: the error's message (or the
 * `message` of the object Nest's exception filter made of it), cut to 1,000 characters.
 */
export function failureReason(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return (typeof message === 'string' ? message : String(error)).slice(0, MAX_ACK_REASON_LENGTH);
}

export function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError';
}

export function isUnknownMember(error: unknown): boolean {
  return error instanceof ShoalApiError && error.code === ErrorCode.UnknownMember;
}
