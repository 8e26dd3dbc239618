import type { Acknowledgement, AckResult, AckType, TopicPartition } from '@shoal/protocol';
import { KafkaError, type KafkaAnswer } from '../kafka-api.js';

/** One `AcknowledgementBatches` entry of ShareFetch and ShareAcknowledge. */
export interface AcknowledgementBatch {
  firstOffset: number;
  lastOffset: number;
  acknowledgeTypes: number[];
}

/**
 * KIP-932's AcknowledgeType on the wire → Shoal's ack. Gap (0) marks an offset that holds no
 * record; Shoal's offsets have no holes, so a gap is taken as the record's end: it is archived
 * like a reject. Renew (4) exists from version 2 on (KIP-1222).
 */
const TYPES: Record<number, AckType> = { 0: 'reject', 1: 'accept', 2: 'release', 3: 'reject', 4: 'renew' };
export const RENEW_TYPE = 4;

/**
 * A partition's acknowledgement batches as Shoal acks, in order: one ack per run of offsets with
 * the same type (a batch has one type for the whole range, or one per offset). Null when a batch
 * is malformed (last before first, a types array of another length, an unknown type).
 */
export function toAcknowledgements(
  topic: string,
  partition: number,
  batches: AcknowledgementBatch[],
  allowRenew: boolean,
): Acknowledgement[] | null {
  const acks: Acknowledgement[] = [];
  for (const { firstOffset, lastOffset, acknowledgeTypes: types } of batches) {
    const length = lastOffset - firstOffset + 1;
    if (firstOffset < 0 || length < 1 || (types.length !== 1 && types.length !== length)) return null;
    if (types.some((t) => TYPES[t] === undefined || (t === RENEW_TYPE && !allowRenew))) return null;
    if (types.length === 1) {
      const range = lastOffset > firstOffset ? { lastOffset } : {};
      acks.push({ topic, partition, offset: firstOffset, ...range, type: TYPES[types[0]] });
      continue;
    }
    let runStart = firstOffset;
    for (let offset = firstOffset; offset <= lastOffset; offset++) {
      const type = types[offset - firstOffset];
      const next = offset === lastOffset ? null : types[offset + 1 - firstOffset];
      if (next === type) continue;
      acks.push({
        topic,
        partition,
        offset: runStart,
        ...(offset > runStart ? { lastOffset: offset } : {}),
        type: TYPES[type],
      });
      runStart = offset + 1;
    }
  }
  return acks;
}

/** One partition's acknowledge error: INVALID_RECORD_STATE when any of its acks did not apply. */
export function partitionAckErrors(results: AckResult[]): Map<string, number> {
  const errors = new Map<string, number>();
  for (const r of results) {
    const key = `${r.topic}\u0000${r.partition}`;
    if (r.error !== null) errors.set(key, KafkaError.INVALID_RECORD_STATE);
    else if (!errors.has(key)) errors.set(key, KafkaError.NONE);
  }
  return errors;
}

/** The `Topics` of a ShareFetch or ShareAcknowledge: topic ids, partitions, acknowledgement batches. */
export type AckTopics = {
  topicId: string;
  partitions: { partitionIndex: number; acknowledgementBatches?: AcknowledgementBatch[] }[];
}[];

/**
 * What ShareFetch and ShareAcknowledge answer (their response files' fields), `P` the fields a
 * partition has beyond its index, error and leader.
 */
export type ShareAnswer<P = object> = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: {
    topicId: string | Buffer;
    partitions: ({
      partitionIndex: number;
      errorCode: number;
      errorMessage: string | null;
      currentLeader: { leaderId: number; leaderEpoch: number };
    } & P)[];
  }[];
  nodeEndpoints: { nodeId: number; host: string; port: number; rack: string | null }[];
}>;

/** A partition of the answer by topic id, as `topicId\u0000partition`. */
export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}\u0000${partition}`;
}

/**
 * The request's partitions (by name) and their acks, in order. A partition of an unknown topic id
 * (UNKNOWN_TOPIC_ID) or with a malformed batch (INVALID_REQUEST) is left out, its error noted.
 */
export function readAckTopics(
  topics: AckTopics,
  names: Map<string, string>,
  allowRenew: boolean,
): { partitions: TopicPartition[]; acks: Acknowledgement[]; errors: Map<string, number> } {
  const partitions: TopicPartition[] = [];
  const acks: Acknowledgement[] = [];
  const errors = new Map<string, number>();
  for (const { topicId, partitions: requested } of topics)
    for (const { partitionIndex: partition, acknowledgementBatches } of requested) {
      const topic = names.get(topicId);
      const parsed = topic ? toAcknowledgements(topic, partition, acknowledgementBatches ?? [], allowRenew) : null;
      if (!topic) errors.set(partitionKey(topicId, partition), KafkaError.UNKNOWN_TOPIC_ID);
      else if (!parsed) errors.set(partitionKey(topicId, partition), KafkaError.INVALID_REQUEST);
      else {
        partitions.push({ topic, partition });
        acks.push(...parsed);
      }
    }
  return { partitions, acks, errors };
}

/** A share answer's partitions (keyed by {@link partitionKey}) grouped by topic id, in the order first seen. */
export function byTopicId<T, P>(
  entries: Map<string, T>,
  partition: (index: number, value: T) => P,
): { topicId: string; partitions: P[] }[] {
  const byTopic = new Map<string, P[]>();
  for (const [k, value] of entries) {
    const [topicId, index] = k.split('\u0000');
    byTopic.set(topicId, [...(byTopic.get(topicId) ?? []), partition(Number(index), value)]);
  }
  return [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions }));
}

/** A ShareFetch's or ShareAcknowledge's answer to a request refused whole (its top-level error). */
export function shareFailure(error: { errorCode: number; errorMessage: string }) {
  return { throttleTimeMs: 0, ...error, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
}
