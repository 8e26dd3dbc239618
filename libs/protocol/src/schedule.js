import { EVERY_MS_RANGE } from './limits.js';
import { ProduceRecord } from './record.js';
import { Name } from './topic.js';
import { defaulted, extend, named, nullable, optional, s } from './schema.js';
export { EVERY_MS_RANGE } from './limits.js';
const int = s.integer({ minimum: 0 });
/**
 * `POST /v1/schedules` body: a repeating job. Exactly one of `cron` (five or six fields, in
 * `timezone`, UTC by default) and `everyMs` says when; at each tick `record` is appended to
 * `topic` (without `deliverAt`, `delayMs` or `idempotencyKey`). Checked by hand on the broker
 * (`parseScheduleBody`: the record goes through the produce checks), with these fields.
 */
export const ScheduleRequest = named('ScheduleRequest', s.object({
    name: Name,
    topic: Name,
    cron: optional(s.string({ maxLength: 200, description: 'five or six fields' })),
    everyMs: optional(s.integer({ minimum: EVERY_MS_RANGE[0], maximum: EVERY_MS_RANGE[1] })),
    timezone: optional(s.string({ maxLength: 100, description: 'an IANA zone; UTC by default' })),
    record: withDescription(ProduceRecord, 'a produce record, without deliverAt, delayMs or idempotencyKey'),
}));
function withDescription(schema, description) {
    return { ...schema, description };
}
/** A repeating job as the broker shows it. */
export const ScheduleView = named('Schedule', s.object({
    name: s.string(),
    topic: s.string(),
    cron: nullable(s.string()),
    everyMs: nullable(int),
    timezone: nullable(s.string()),
    record: ProduceRecord,
    paused: s.boolean(),
    /** The next tick that will append (ms since the epoch); null while paused. */
    nextRunAt: nullable(int),
    /** The last tick that appended, or null. */
    lastRunAt: nullable(int),
}));
/** `GET /v1/schedules/{name}`: the schedule and its next five ticks. */
export const ScheduleDescription = named('ScheduleDescription', extend(ScheduleView, { nextRuns: s.array(int) }));
/** `GET /v1/schedules` answer. */
export const ScheduleList = named('ScheduleList', s.object({ schedules: s.array(ScheduleView) }));
/** `GET /v1/topics/{topic}/scheduled-records` query. */
export const ScheduledRecordsQuery = s.object({
    limit: defaulted(s.integer({ minimum: 1, maximum: 10_000, description: 'at most this many' }), 100),
});
//# sourceMappingURL=schedule.js.map