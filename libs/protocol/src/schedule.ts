import type { ProduceRecord } from './record.js';

/**
 * `POST /v1/schedules` body: a repeating job. Exactly one of `cron` (five or six fields, in
 * `timezone`, UTC by default) and `everyMs` says when; at each tick `record` is appended to
 * `topic` (without `deliverAt`, `delayMs` or `idempotencyKey`).
 */
export interface ScheduleRequest {
  name: string;
  topic: string;
  cron?: string;
  everyMs?: number;
  timezone?: string;
  record: ProduceRecord;
}

/** A repeating job as the broker shows it. */
export interface ScheduleView {
  name: string;
  topic: string;
  cron: string | null;
  everyMs: number | null;
  timezone: string | null;
  record: ProduceRecord;
  paused: boolean;
  /** The next tick that will append (ms since the epoch); null while paused. */
  nextRunAt: number | null;
  /** The last tick that appended, or null. */
  lastRunAt: number | null;
}

/** `GET /v1/schedules/{name}`: the schedule and its next five ticks. */
export interface ScheduleDescription extends ScheduleView {
  nextRuns: number[];
}

/** `GET /v1/schedules` answer. */
export interface ScheduleList {
  schedules: ScheduleView[];
}
