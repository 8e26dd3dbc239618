import type { Logger } from '@nestjs/common';
import { ShoalApiError, ShoalConnectionError, type ShoalHttpClient } from '@shoal/client';
import { ErrorCode, MAX_ACK_REASON_LENGTH, MAX_JOB_PROGRESS_BYTES, MAX_JOB_RESULT_BYTES } from '@shoal/protocol';
import type { ShoalWorkerSettings } from '../shoal-transport.options.js';

/** The longest release delay the broker accepts (24 h); a longer one is refused with 400. */
export const MAX_RELEASE_DELAY_MS = 86_400_000;

/** A release delay the broker accepts: a whole number of ms from 0 to {@link MAX_RELEASE_DELAY_MS}. */
export function clampReleaseDelay(delayMs: number | undefined): number {
  if (delayMs === undefined || !(delayMs > 0)) return 0;
  return Math.min(MAX_RELEASE_DELAY_MS, Math.round(delayMs));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The release delay after an unexpected error: doubling per delivery, capped. */
export function backoff(options: ShoalWorkerSettings, deliveryCount: number): number {
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

/**
 * Whether the broker could not be reached, or answered 503 (its database is down, say): the
 * same request is worth sending again later.
 */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ShoalConnectionError || (error instanceof ShoalApiError && error.status === 503);
}

/**
 * Logs a run of failures of one kind once when it begins and once when it ends, not per
 * request: a broker (or its database) that is down for a minute is one story in the log.
 */
export class FailureRun {
  private failures = 0;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  failed(error: unknown): void {
    if (this.failures++ === 0)
      this.logger.error(`${this.what} failed, retrying (not logged again until it works): ${String(error)}`);
  }

  succeeded(): void {
    if (this.failures === 0) return;
    this.logger.log(`${this.what} works again after ${this.failures} failed attempt(s)`);
    this.failures = 0;
  }
}

/** Whether the broker answered the request itself with a 4xx (bad input): sending it again will not help. */
export function isRefused(error: unknown): boolean {
  return error instanceof ShoalApiError && error.status >= 400 && error.status < 500 && !isUnknownMember(error);
}

/**
 * `autoCreateTopics`: creates each topic that does not exist yet (with `partitions`, default 1);
 * one that exists, or that another worker creates at the same moment, is left as it is.
 */
export async function createMissingTopics(
  http: ShoalHttpClient,
  topics: Iterable<string>,
  setting: ShoalWorkerSettings['autoCreateTopics'],
): Promise<void> {
  if (!setting) return;
  const partitions = (setting === true ? undefined : setting.partitions) ?? 1;
  for (const name of new Set(topics)) {
    await http.createTopic({ name, partitions }).catch((error: unknown) => {
      if (!(error instanceof ShoalApiError && error.code === ErrorCode.TopicAlreadyExists)) throw error;
    });
  }
}

type Where = { topic: string; partition: number; offset: number };
const at = (r: Where) => `${r.topic}/${r.partition}@${r.offset}`;

/**
 * A handler's return value as its accept's `result` (the group keeps results): left out, with
 * a warning, when it is not JSON or larger than the broker keeps ({@link MAX_JOB_RESULT_BYTES}).
 */
export function jobResult(record: Where, result: unknown, logger: Logger): unknown {
  if (result === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(result);
  } catch (error) {
    logger.warn(`result of ${at(record)} is not JSON, not kept: ${String(error)}`);
    return undefined;
  }
  if (text === undefined) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_JOB_RESULT_BYTES) return result;
  logger.warn(`result of ${at(record)} is ${bytes} bytes, over ${MAX_JOB_RESULT_BYTES}: not kept`);
  return undefined;
}

/** Throws when a progress value is larger than the broker keeps ({@link MAX_JOB_PROGRESS_BYTES}). */
export function checkProgress(record: Where, value: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
  if (bytes > MAX_JOB_PROGRESS_BYTES)
    throw new Error(`progress of ${at(record)} is ${bytes} bytes, over ${MAX_JOB_PROGRESS_BYTES}`);
}
