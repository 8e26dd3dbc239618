import {
  ACK_TYPES,
  AcknowledgeRequest,
  type Checked,
  fieldsOf,
  MAX_ACK_RANGE,
  MAX_ACK_REASON_LENGTH,
  MAX_ACKS,
  MAX_JOB_PROGRESS_BYTES,
  MAX_JOB_RESULT_BYTES,
  MAX_RELEASE_DELAY_MS,
  ProducingAcknowledgement,
  ShareFetchRequest,
} from '@shoal/protocol';
import { parseProduceBatches } from '../../log/http/produce.dto.js';
import type { ProduceBatch } from '../../log/transactional-produce.js';
import type { ProducingAck, ProducingAcks } from '../producing-acks.js';
import { InvalidRequestError, JobValueTooLargeError } from '../../platform/errors/index.js';
import { checked } from '../../http/validation/schema-check.js';
import { assertName, isIndex } from '../../http/validation/validators.js';

/** A share fetch's body, checked: what the service takes. */
export interface ShareFetchBody extends ProducingAcks {
  maxRecords: number;
  maxWaitMs: number;
}

/**
 * The body of `POST …/fetch`, checked against the route table's ShareFetchRequest, its acks and
 * produce lists by hand in one pass (the route is the hot path of every worker): 400
 * INVALID_REQUEST naming each problem; no body is all defaults.
 */
export function parseShareFetch(body: unknown, maxRecordBytes: number): ShareFetchBody {
  const fields = checked(ShareFetchRequest, body, 'body', HAND_CHECKED) as Checked<typeof ShareFetchRequest>;
  const budget = { records: 0 };
  return {
    maxRecords: fields.maxRecords,
    maxWaitMs: fields.maxWaitMs,
    acks: parseAcks(fields.acks, true, maxRecordBytes, budget),
    ...requestProduce(body, maxRecordBytes, budget),
  };
}

/** The body of `POST …/acks`: `{ acks, produce? }`, checked as {@link parseShareFetch} checks its acks. */
export function parseAcknowledge(body: unknown, maxRecordBytes: number): ProducingAcks {
  const fields = checked(AcknowledgeRequest, body, 'body', HAND_CHECKED) as { acks?: unknown };
  const budget = { records: 0 };
  return {
    acks: parseAcks(fields.acks, false, maxRecordBytes, budget),
    ...requestProduce(body, maxRecordBytes, budget),
  };
}

/** The request's own `produce` list (the schema check left it to this pass), if it has one. */
function requestProduce(
  body: unknown,
  maxRecordBytes: number,
  budget: { records: number },
): { produce?: ProduceBatch[] } {
  const value = (body as { produce?: unknown } | null | undefined)?.produce;
  return value === undefined ? {} : { produce: parseProduceBatches(value, 'produce', maxRecordBytes, budget) };
}

/** The fields this file's own pass checks. */
const HAND_CHECKED = ['acks', 'produce'];
/** An ack's fields: the route table's ProducingAcknowledgement. */
const ACK_FIELDS = fieldsOf(ProducingAcknowledgement);
const ACK_TYPE_SET = new Set<string>(ACK_TYPES);

/**
 * Checks acknowledgements by hand, in one pass: a fetch carries up to thousands of them, and
 * class-validator's nested instances cost more than the acks themselves. A malformed entry is
 * 400 INVALID_REQUEST (naming its index) and nothing is applied.
 */
export function parseAcks(
  value: unknown,
  optional: boolean,
  maxRecordBytes: number,
  budget: { records: number },
): ProducingAck[] {
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
    if (ack.result !== undefined) {
      if (ack.type !== 'accept') throw bad('result goes with accept only');
      const bytes = Buffer.byteLength(JSON.stringify(ack.result), 'utf8');
      if (bytes > MAX_JOB_RESULT_BYTES)
        throw bad(`result is ${bytes} bytes of JSON, more than ${MAX_JOB_RESULT_BYTES}`);
    }
    if (ack.produce !== undefined) {
      if (ack.type !== 'accept' && ack.type !== 'reject') throw bad('produce goes with accept or reject only');
      const produce = parseProduceBatches(ack.produce, `acks[${i}].produce`, maxRecordBytes, budget);
      return { ...(ack as unknown as ProducingAck), produce };
    }
    return ack as unknown as ProducingAck;
  });
}

/** A progress value as the JSON text stored, at most MAX_JOB_PROGRESS_BYTES (else 400 INVALID_REQUEST). */
export function progressJson(value: unknown): string {
  const progress = JSON.stringify(value);
  const bytes = Buffer.byteLength(progress, 'utf8');
  if (bytes > MAX_JOB_PROGRESS_BYTES) throw new JobValueTooLargeError('progress', bytes, MAX_JOB_PROGRESS_BYTES);
  return progress;
}
