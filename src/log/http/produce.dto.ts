import { MAX_RECORDS_PER_PRODUCE } from '@shoal/protocol';
import { InvalidRequestError } from '../../platform/errors/index.js';
import { encodeRecord } from '../domain/record-codec.js';
import type { AppendRecord } from '../domain/record.js';
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
