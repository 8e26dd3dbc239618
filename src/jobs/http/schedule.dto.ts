import { EVERY_MS_RANGE, fieldsOf, type ProduceRecord, ScheduleRequest } from '@shoal/protocol';
import { InvalidRequestError } from '../../platform/errors/index.js';
import { encodeRecord } from '../../log/domain/record-codec.js';
import type { ScheduleInput } from '../schedule.service.js';
import { assertName, isIndex } from '../../http/validation/validators.js';

/** The route table's fields of a schedule. */
const FIELDS = fieldsOf(ScheduleRequest);
const RECORD_ONLY_NOW = ['deliverAt', 'delayMs', 'idempotencyKey'];

/** `POST /v1/schedules`, checked by hand (the record goes through the produce checks). */
export function parseScheduleBody(body: unknown, maxRecordBytes: number): ScheduleInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequestError('body must be an object');
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).find((field) => !FIELDS.has(field));
  if (unknown !== undefined) throw new InvalidRequestError(`unknown field ${JSON.stringify(unknown)}`);
  assertName('schedule', input.name);
  assertName('topic', input.topic);
  const cron = input.cron ?? null;
  const everyMs = input.everyMs ?? null;
  if ((cron === null) === (everyMs === null)) throw new InvalidRequestError('needs exactly one of cron and everyMs');
  if (cron !== null && (typeof cron !== 'string' || cron.length > 200))
    throw new InvalidRequestError('cron must be a string of five or six fields');
  if (everyMs !== null && (!isIndex(everyMs) || everyMs < EVERY_MS_RANGE[0] || everyMs > EVERY_MS_RANGE[1]))
    throw new InvalidRequestError(`everyMs must be an integer from ${EVERY_MS_RANGE[0]} to ${EVERY_MS_RANGE[1]}`);
  const timezone = input.timezone ?? null;
  if (timezone !== null && (typeof timezone !== 'string' || everyMs !== null || timezone.length > 100))
    throw new InvalidRequestError('timezone goes with cron only, an IANA name such as Europe/Berlin');
  const record = input.record;
  if (typeof record === 'object' && record !== null && RECORD_ONLY_NOW.some((field) => field in record))
    throw new InvalidRequestError('record takes no deliverAt, delayMs or idempotencyKey');
  encodeRecord(record, 0, maxRecordBytes);
  return {
    name: input.name,
    topic: input.topic,
    cron: cron as string | null,
    everyMs: everyMs as number | null,
    timezone: timezone as string | null,
    record: record as ProduceRecord,
  };
}
