import { IsNumber, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import {
  ACK_TYPES,
  type Acknowledgement,
  type AutoOffsetReset,
  ErrorCode,
  MAX_ACK_REASON_LENGTH,
} from '@shoal/protocol';
import { MAX_SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS } from '../../consumer-groups/domain/consumer-group.js';
import { InvalidRequestError } from '../../platform/errors/index.js';
import { SHARE_CONFIG_RANGES } from '../domain/share-group-config.js';
import { LOWER_PRIORITY_SHARE_RANGE, MAX_RECORDS_PER_SECOND_RANGE } from '../domain/share-flow.js';
import { withCode } from '../../http/validation/validation.pipe.js';
import {
  assertName,
  isIndex,
  OptionalInt,
  OptionalOffsetReset,
  TopicName,
  TopicNames,
} from '../../http/validation/validators.js';
import { DEFAULT_FETCH_RECORDS, MAX_FETCH_RECORDS, MAX_WAIT_MS } from '../../platform/limits.js';

/** The longest delay a release may ask for: a day. */
export const MAX_RELEASE_DELAY_MS = 86_400_000;
/** The widest range one ack entry may cover. */
export const MAX_ACK_RANGE = 10_000;
/** The most acknowledgements one request may carry. */
export const MAX_ACKS = 10_000;

export class JoinShareGroupDto {
  @TopicNames(false) topics!: string[];
  @OptionalInt(MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS) sessionTimeoutMs?: number;
}

/** A share fetch's body, checked: what the service takes. */
export interface ShareFetchBody {
  maxRecords: number;
  maxWaitMs: number;
  acks: Acknowledgement[];
}

const FETCH_FIELDS = new Set(['maxRecords', 'maxWaitMs', 'acks']);
const ACKNOWLEDGE_FIELDS = new Set(['acks']);

/**
 * The body of `POST …/fetch`, checked by hand in one pass (the route is the hot path of every
 * worker; class-validator would copy each ack into a class instance first). Same answers as the
 * global validation pipe: 400 INVALID_REQUEST naming each problem; no body is all defaults.
 */
export function parseShareFetch(body: unknown): ShareFetchBody {
  const { fields, problems } = bodyFields(body, FETCH_FIELDS);
  problems.push(
    ...intProblems('maxRecords', fields.maxRecords, 1, MAX_FETCH_RECORDS),
    ...intProblems('maxWaitMs', fields.maxWaitMs, 0, MAX_WAIT_MS),
  );
  if (problems.length > 0) throw new InvalidRequestError(problems.join('; '));
  return {
    maxRecords: (fields.maxRecords as number | undefined) ?? DEFAULT_FETCH_RECORDS,
    maxWaitMs: (fields.maxWaitMs as number | undefined) ?? 0,
    acks: parseAcks(fields.acks, true),
  };
}

/** The body of `POST …/acks`: `{ acks }`, checked as {@link parseShareFetch} checks its acks. */
export function parseAcknowledge(body: unknown): Acknowledgement[] {
  const { fields, problems } = bodyFields(body, ACKNOWLEDGE_FIELDS);
  if (problems.length > 0) throw new InvalidRequestError(problems.join('; '));
  return parseAcks(fields.acks, false);
}

/** A JSON object's fields (no body: none), and a problem for each field not `allowed`; 400 if not an object. */
function bodyFields(
  body: unknown,
  allowed: ReadonlySet<string>,
): { fields: Record<string, unknown>; problems: string[] } {
  if (body === undefined || body === null) return { fields: {}, problems: [] };
  if (typeof body !== 'object' || Array.isArray(body))
    throw new InvalidRequestError('Validation failed (object is expected)');
  const fields = body as Record<string, unknown>;
  const problems = Object.keys(fields)
    .filter((field) => !allowed.has(field))
    .map((field) => `property ${field} should not exist`);
  return { fields, problems };
}

/** An optional integer field's problems, worded as class-validator words them (null is refused). */
function intProblems(field: string, value: unknown, min: number, max: number): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || Number.isNaN(value))
    return [
      `${field} must be an integer number`,
      `${field} must not be less than ${min}`,
      `${field} must not be greater than ${max}`,
    ];
  return [
    ...(Number.isInteger(value) ? [] : [`${field} must be an integer number`]),
    ...(value < min ? [`${field} must not be less than ${min}`] : []),
    ...(value > max ? [`${field} must not be greater than ${max}`] : []),
  ];
}

const ACK_FIELDS = new Set(['topic', 'partition', 'offset', 'lastOffset', 'type', 'delayMs', 'delivered', 'reason']);
const ACK_TYPE_SET = new Set<string>(ACK_TYPES);

/**
 * Checks acknowledgements by hand, in one pass: a fetch carries up to thousands of them, and
 * class-validator's nested instances cost more than the acks themselves. A malformed entry is
 * 400 INVALID_REQUEST (naming its index) and nothing is applied.
 */
export function parseAcks(value: unknown, optional: boolean): Acknowledgement[] {
  if (value === undefined && optional) return [];
  if (!Array.isArray(value) || value.length > MAX_ACKS)
    throw new InvalidRequestError(`acks must be an array of at most ${MAX_ACKS} entries`);
  return value.map((entry: unknown, i) => {
    const bad = (problem: string) => new InvalidRequestError(`acks[${i}]: ${problem}`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad('must be an object');
    const ack = entry as Record<string, unknown>;
    const unknown = Object.keys(ack).find((field) => !ACK_FIELDS.has(field));
    if (unknown !== undefined) throw bad(`unknown field ${JSON.stringify(unknown)}`);
    assertName('topic', ack.topic);
    if (!isIndex(ack.partition) || !isIndex(ack.offset))
      throw bad('partition and offset must be non-negative integers');
    if (typeof ack.type !== 'string' || !ACK_TYPE_SET.has(ack.type))
      throw bad('type must be accept, release, reject or renew');
    if (
      ack.lastOffset !== undefined &&
      (!isIndex(ack.lastOffset) || ack.lastOffset < ack.offset || ack.lastOffset - ack.offset >= MAX_ACK_RANGE)
    ) {
      throw bad(`lastOffset must be from offset to offset + ${MAX_ACK_RANGE - 1}`);
    }
    if (
      ack.delayMs !== undefined &&
      (ack.type !== 'release' || !isIndex(ack.delayMs) || ack.delayMs > MAX_RELEASE_DELAY_MS)
    ) {
      throw bad(`delayMs goes with release only, from 0 to ${MAX_RELEASE_DELAY_MS}`);
    }
    if (ack.delivered !== undefined && (ack.type !== 'release' || typeof ack.delivered !== 'boolean'))
      throw bad('delivered goes with release only, a boolean');
    if (ack.delivered === false && ack.delayMs !== undefined && ack.delayMs !== 0)
      throw bad('a release with delivered: false is available again at once: no delayMs');
    if (
      ack.reason !== undefined &&
      ((ack.type !== 'reject' && ack.type !== 'release') ||
        typeof ack.reason !== 'string' ||
        ack.reason.length > MAX_ACK_REASON_LENGTH)
    ) {
      throw bad(`reason goes with reject or release only, a string of at most ${MAX_ACK_REASON_LENGTH} characters`);
    }
    return ack as unknown as Acknowledgement;
  });
}

const config = withCode(ErrorCode.InvalidConfig);
const ConfigInt = (range: readonly [number, number]) => OptionalInt(range[0], range[1], config);

export class ShareGroupConfigDto {
  @ConfigInt(SHARE_CONFIG_RANGES.recordLockDurationMs) recordLockDurationMs?: number;
  @ConfigInt(SHARE_CONFIG_RANGES.deliveryCountLimit) deliveryCountLimit?: number;
  @ConfigInt(SHARE_CONFIG_RANGES.maxInFlightRecordsPerPartition) maxInFlightRecordsPerPartition?: number;
  @OptionalOffsetReset(config) autoOffsetReset?: AutoOffsetReset;
  @IsOptional() @ValidateIf((_o, v) => v !== null) @TopicName() deadLetterTopic?: string | null;
  @IsOptional() @ValidateIf((_o, v) => v !== null) @TopicNames(true) topicPriority?: string[] | null;
  @ConfigNumber(LOWER_PRIORITY_SHARE_RANGE, false) lowerPriorityShare?: number;
  @ConfigNumber(MAX_RECORDS_PER_SECOND_RANGE, true) maxRecordsPerSecond?: number | null;
}

/** An optional number in range (`nullable`: null clears it); INVALID_CONFIG. */
function ConfigNumber(range: readonly [number, number], nullable: boolean): PropertyDecorator {
  return (target, property) =>
    [
      IsOptional(config),
      ...(nullable ? [ValidateIf((_o, v) => v !== null, config)] : []),
      IsNumber({ allowNaN: false, allowInfinity: false }, config),
      Min(range[0], config),
      Max(range[1], config),
    ].forEach((decorate) => decorate(target, property));
}
