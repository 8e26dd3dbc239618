import { ShoalApiError } from '@shoal/client';
import type { ShoalServerOptions } from '../shoal-transport.options.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The release delay after an unexpected error: doubling per delivery, capped. */
export function backoff(options: ShoalServerOptions, deliveryCount: number): number {
  const base = options.retryDelayMs ?? 1_000;
  return Math.min(options.maxRetryDelayMs ?? 60_000, base * 2 ** Math.max(0, deliveryCount - 1));
}

export function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError';
}

export function isUnknownMember(error: unknown): boolean {
  return error instanceof ShoalApiError && error.code === 'UNKNOWN_MEMBER';
}
