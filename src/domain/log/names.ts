import { NAME_PATTERN } from '@shoal/protocol';
import { InvalidNameError } from '../errors/index.js';

/** Throws INVALID_NAME unless `name` follows Kafka's naming rule. */
export function assertValidName(kind: 'topic' | 'group', name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw new InvalidNameError(kind, String(name));
}
