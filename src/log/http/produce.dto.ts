import { MAX_RECORDS_PER_PRODUCE } from '@shoal/protocol';
import { InvalidRequestError, ShoalError } from '../../platform/errors/index.js';
import { encodeRecord } from '../domain/record-codec.js';
import type { AppendRecord } from '../domain/record.js';
import type { ProduceBatch } from '../transactional-produce.js';
import { assertName } from '../../http/validation/validators.js';
import { produceValueTexts } from './produce-value-texts.js';

/**
 * The produce body, checked by hand: class-validator would build 10,000 instances and walk
 * their metadata, where this is one pass over plain objects (see the validation benchmark).
 * `text`, the body's JSON text when at hand, supplies the values' JSON as written where that is
 * exactly their `JSON.stringify` (see {@link produceValueTexts}).
 */
export function parseProduceBody(body: unknown, maxRecordBytes: number, text?: string): AppendRecord[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequestError('body must be an object');
  const unknown = Object.keys(body).find((field) => field !== 'records');
  if (unknown !== undefined) throw new InvalidRequestError(`unknown field ${JSON.stringify(unknown)}`);
  const records = (body as { records?: unknown }).records;
  if (!Array.isArray(records) || records.length < 1 || records.length > MAX_RECORDS_PER_PRODUCE) {
    throw new InvalidRequestError(`records must be an array of 1 to ${MAX_RECORDS_PER_PRODUCE} records`);
  }
  const texts = text === undefined ? undefined : produceValueTexts(text, records.length);
  return records.map((record, index) => encodeRecord(record, index, maxRecordBytes, texts?.[index]));
}

/**
 * Checks a request's `produce` list (the protocol's ProduceBatches) as the produce route checks
 * its records; `field` names it in messages. `budget` counts records across every list of the
 * request: at most MAX_RECORDS_PER_PRODUCE in all (else 400 INVALID_REQUEST).
 */
export function parseProduceBatches(
  value: unknown,
  field: string,
  maxRecordBytes: number,
  budget: { records: number },
): ProduceBatch[] {
  if (!Array.isArray(value)) throw new InvalidRequestError(`${field} must be an array of { topic, records }`);
  return value.map((entry: unknown, i) => {
    const where = `${field}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new InvalidRequestError(`${where} must be an object`);
    const { topic, records, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new InvalidRequestError(`${where}: unknown field ${JSON.stringify(unknown)}`);
    assertName('topic', topic);
    if (!Array.isArray(records) || records.length < 1)
      throw new InvalidRequestError(`${where}.records must be an array of at least 1 record`);
    budget.records += records.length;
    if (budget.records > MAX_RECORDS_PER_PRODUCE)
      throw new InvalidRequestError(`a request may produce at most ${MAX_RECORDS_PER_PRODUCE} records in all`);
    try {
      return { topic, records: records.map((record, r) => encodeRecord(record, r, maxRecordBytes)) };
    } catch (error) {
      // The record named where it is in this request: `acks[2].produce[0].records[5]: …`.
      if (error instanceof ShoalError) throw new ShoalError(error.code, `${where}.${error.message}`);
      throw error;
    }
  });
}
