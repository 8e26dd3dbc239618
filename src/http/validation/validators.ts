import { NAME_PATTERN } from '@shoal/protocol';
import { InvalidNameError } from '../../platform/errors/index.js';

/*
 * Plain predicates for the hand-written checks of the HTTP edge (path parameters, acks, produce
 * records, schedules: class-validator and the schema checker cost too much there, see the
 * validation benchmark). Bodies and queries are checked against the route table
 * (route-validation.guard.ts). Services receive what these let through and do not check it again.
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
