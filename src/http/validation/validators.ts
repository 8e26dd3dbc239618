import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { ErrorCode, MAX_PARTITIONS, MIN_PARTITIONS, NAME_PATTERN } from '@shoal/protocol';
import { InvalidNameError } from '../../platform/errors/index.js';
import { withCode } from './validation.pipe.js';

/*
 * The named validators of the HTTP edge, in one place: plain predicates for the hand-written
 * parsers (acks, path parameters; class-validator costs too much there, see the validation
 * benchmark) and composed class-validator decorators for the DTOs, one line per field.
 * Services receive what these let through and do not check it again.
 */

/** Kafka's naming rule for topics and groups. */
export function isName(value: unknown): value is string {
  return typeof value === 'string' && NAME_PATTERN.test(value);
}

/** Throws INVALID_NAME unless `value` follows Kafka's naming rule. */
export function assertName(kind: 'topic' | 'group' | 'schedule', value: unknown): asserts value is string {
  if (!isName(value)) throw new InvalidNameError(kind, String(value));
}

/** A partition, offset or delay: a non-negative safe integer. */
export function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A partition number in a path: plain digits, at most 2^31 − 1. */
export function isPartitionText(text: string): boolean {
  return /^\d{1,10}$/.test(text) && Number(text) <= 2 ** 31 - 1;
}

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

const invalidName = withCode(ErrorCode.InvalidName);
const invalidNames = withCode(ErrorCode.InvalidName, { each: true });

/** A topic name: INVALID_NAME if it breaks Kafka's rule. */
export function TopicName(): PropertyDecorator {
  return compose(IsString(invalidName), Matches(NAME_PATTERN, invalidName));
}

/** A list of topic names (at most 1,000; `nonEmpty`: at least one): each INVALID_NAME if it breaks Kafka's rule. */
export function TopicNames(nonEmpty: boolean): PropertyDecorator {
  return compose(
    IsArray(),
    ...(nonEmpty ? [ArrayNotEmpty()] : []),
    ArrayMaxSize(1_000),
    IsString(invalidNames),
    Matches(NAME_PATTERN, invalidNames),
  );
}

/** An optional integer body field in [min, max]; `options` carries its error code. */
export function OptionalInt(min: number, max: number, options: ValidationOptions = {}): PropertyDecorator {
  return compose(absentOrNotNull(options), IsInt(options), Min(min, options), Max(max, options));
}

/** Optional, but `null` is refused (400) rather than reaching a service as a value. */
function absentOrNotNull(options: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}

/** An optional `latest` | `earliest`. */
export function OptionalOffsetReset(options: ValidationOptions = {}): PropertyDecorator {
  return compose(absentOrNotNull(options), IsIn(['latest', 'earliest'], options));
}

/** A partition count in the contract's range: INVALID_PARTITIONS. */
export function PartitionCount(optional: boolean): PropertyDecorator {
  const partitions = withCode(ErrorCode.InvalidPartitions);
  return compose(
    ...(optional ? [IsOptional(partitions)] : []),
    IsInt(partitions),
    Min(MIN_PARTITIONS, partitions),
    Max(MAX_PARTITIONS, partitions),
  );
}

/** A retention field: a positive integer, or null to keep forever; INVALID_CONFIG. */
export function Retention(): PropertyDecorator {
  const config = withCode(ErrorCode.InvalidConfig);
  return compose(
    IsOptional(config),
    ValidateIf((_o, value) => value !== null, config),
    IsInt(config),
    IsPositive(config),
  );
}

/** A topic's completed-job cleanup bound (age in ms or a count): 0 up, or null for none; INVALID_CONFIG. */
export function CompletedCleanup(): PropertyDecorator {
  const config = withCode(ErrorCode.InvalidConfig);
  return compose(
    IsOptional(config),
    ValidateIf((_o, value) => value !== null, config),
    IsInt(config),
    Min(0, config),
    Max(Number.MAX_SAFE_INTEGER, config),
  );
}

/** A topic's on/off setting: true, false, or null for the default; INVALID_CONFIG. */
export function TopicFlag(): PropertyDecorator {
  const config = withCode(ErrorCode.InvalidConfig);
  return compose(
    IsOptional(config),
    ValidateIf((_o, value) => value !== null, config),
    IsBoolean(config),
  );
}

/** A topic's idempotency window: 1 s to 30 days, or null for the broker's; INVALID_CONFIG. */
export function IdempotencyWindow(): PropertyDecorator {
  const config = withCode(ErrorCode.InvalidConfig);
  return compose(
    IsOptional(config),
    ValidateIf((_o, value) => value !== null, config),
    IsInt(config),
    Min(1_000, config),
    Max(30 * 86_400_000, config),
  );
}

/** A query-string integer in [min, max]: only plain digits convert, anything else fails. */
export function IntegerParam(min: number, max: number): PropertyDecorator {
  return compose(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value,
    ),
    IsInt(),
    Min(min),
    Max(max),
  );
}
