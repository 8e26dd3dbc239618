import type { AckResult } from '@shoal/protocol';
import type { AcquiredStoredRecord } from '../../share-groups/domain/acquired-record.js';
import { ShareSessionService } from '../share/share-session.service.js';
import { KafkaApi, KafkaError, type KafkaApiHandler, type KafkaRequestContext } from '../kafka-api.js';
import {
  type AckTopics,
  type ShareAnswer,
  byTopicId,
  partitionAckErrors,
  partitionKey as key,
  readAckTopics,
  shareFailure,
} from '../share/share-acknowledgements.js';
import { ShareAccess } from '../share/share-access.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { sharePartitionData } from '../share/share-records.js';
import { ShareTopicIds } from '../share/share-topic-ids.js';
import { DEFAULT_FETCH_RECORDS, MAX_FETCH_RECORDS, MAX_SHARE_FETCH_WAIT_MS } from '../../platform/limits.js';

/** The fields of ShareFetchRequest.json the handler reads, and of ShareFetchResponse.json it answers. */
type Request = {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  maxWaitMs: number;
  maxRecords: number;
  topics: AckTopics;
  forgottenTopicsData: { topicId: string; partitions: number[] }[];
};
type Response = ShareAnswer<{
  acknowledgeErrorCode: number;
  acknowledgeErrorMessage: string | null;
  records: Buffer | null;
  acquiredRecords: { firstOffset: number | bigint; lastOffset: number | bigint; deliveryCount: number }[];
}>;

/** What one partition of the answer says. */
interface PartitionOutcome {
  errorCode: number;
  errorMessage: string | null;
  acknowledgeErrorCode: number;
  records: AcquiredStoredRecord[];
}

/**
 * ShareFetch (key 78, KIP-932): moves the member's share session on, applies the acknowledgements
 * riding on it, then acquires records from the session's partitions (of those assigned to the
 * member) — waiting up to MaxWaitMs for a record, woken like an HTTP share fetch. Records come
 * back as one record batch per partition with their AcquiredRecords ranges and delivery counts.
 */
@KafkaApi({ apiKey: 78, name: 'ShareFetch', minVersion: 1, maxVersion: 2 })
export class ShareFetchHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly sessions: ShareSessionService,
    private readonly topicIds: ShareTopicIds,
    private readonly access: ShareAccess,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const refused = await this.access.refusal(context, request.groupId ?? '');
    if (refused) return shareFailure(refused);
    const names = await this.topicIds.namesOf([
      ...request.topics.map((t) => t.topicId),
      ...request.forgottenTopicsData.map((t) => t.topicId),
    ]);
    const { partitions: add, acks, errors } = readAckTopics(request.topics, names, version >= 2);
    const outcomes = new Map<string, PartitionOutcome>(
      [...errors].map(([k, code]) => [
        k,
        failed(code, code === KafkaError.UNKNOWN_TOPIC_ID ? 'unknown topic id' : 'malformed acknowledgement batch'),
      ]),
    );
    const forget = request.forgottenTopicsData.flatMap(({ topicId, partitions }) =>
      names.has(topicId) ? partitions.map((partition) => ({ topic: names.get(topicId)!, partition })) : [],
    );
    try {
      const answer = await this.sessions.fetch({
        ...limits(request),
        ...sessionOf(request, context),
        add,
        forget,
        acks,
      });
      const ids = await this.topicIds.idsOf([
        ...new Set([...answer.records, ...answer.ackResults].map((r) => r.topic)),
      ]);
      this.collect(outcomes, ids, answer.records, answer.ackResults);
      return {
        throttleTimeMs: 0,
        errorCode: KafkaError.NONE,
        errorMessage: null,
        acquisitionLockTimeoutMs: answer.lockDurationMs,
        responses: responses(outcomes, context.nodeId),
        nodeEndpoints: [],
      };
    } catch (error) {
      return shareFailure(kafkaErrorOf(error, 'share'));
    }
  }

  private collect(
    outcomes: Map<string, PartitionOutcome>,
    ids: Map<string, string>,
    records: AcquiredStoredRecord[],
    ackResults: AckResult[],
  ): void {
    const at = (topic: string, partition: number): PartitionOutcome | null => {
      const id = ids.get(topic);
      if (id === undefined) return null;
      const k = key(id, partition);
      if (!outcomes.has(k)) outcomes.set(k, failed(KafkaError.NONE, null));
      return outcomes.get(k)!;
    };
    for (const r of records) at(r.topic, r.partition)?.records.push(r);
    for (const [k, code] of partitionAckErrors(ackResults)) {
      const [topic, partition] = k.split('\u0000');
      const outcome = at(topic, Number(partition));
      if (outcome) outcome.acknowledgeErrorCode = code;
    }
  }
}

/** Who asks, in which session. */
function sessionOf(request: Request, context: KafkaRequestContext) {
  return {
    group: request.groupId ?? '',
    kafkaMemberId: request.memberId ?? '',
    principal: context.principal,
    sessionEpoch: request.shareSessionEpoch,
  };
}

/** MaxRecords (500 when unset, at most Shoal's 10,000) and MaxWaitMs (at most a minute). */
function limits(request: Request) {
  const wanted = request.maxRecords && request.maxRecords > 0 ? request.maxRecords : DEFAULT_FETCH_RECORDS;
  return {
    maxRecords: Math.min(MAX_FETCH_RECORDS, wanted),
    maxWaitMs: Math.max(0, Math.min(MAX_SHARE_FETCH_WAIT_MS, request.maxWaitMs)),
  };
}

function failed(errorCode: number, errorMessage: string | null): PartitionOutcome {
  return { errorCode, errorMessage, acknowledgeErrorCode: KafkaError.NONE, records: [] };
}

function responses(outcomes: Map<string, PartitionOutcome>, nodeId: number) {
  return byTopicId(outcomes, (partitionIndex, o) => ({
    partitionIndex,
    errorCode: o.errorCode,
    errorMessage: o.errorMessage,
    acknowledgeErrorCode: o.acknowledgeErrorCode,
    acknowledgeErrorMessage: o.acknowledgeErrorCode === KafkaError.NONE ? null : 'an acknowledgement did not apply',
    currentLeader: { leaderId: nodeId, leaderEpoch: 0 },
    ...(o.records.length > 0 ? sharePartitionData(o.records) : { records: null, acquiredRecords: [] }),
  }));
}
