import { Operation } from '../../security/domain/acl.js';
import { PartitionReader, type StoredRead } from '../../log/partition-reader.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { encodeRecordBatch } from '../protocol/record-batch.js';
import { kafkaRecordOf } from '../records/kafka-records.js';
import { MAX_FETCH_RECORDS, MAX_FETCH_WAIT_MS } from '../../platform/limits.js';

/** The fields of FetchRequest.json the handler reads, and of FetchResponse.json it answers. */
type Request = {
  maxWait: number;
  minBytes: number;
  maxBytes: number;
  sessionId: number;
  topics: {
    name: string;
    fetchPartitions: { partitionIndex: number; fetchOffset: number; logStartOffset: number; maxBytes: number }[];
  }[];
};
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: {
    topic: string;
    partitionResponses: {
      partition: number;
      errorCode: number;
      highWatermark: number | bigint;
      lastStableOffset: number | bigint;
      logStartOffset: number | bigint;
      truncationOffset: number | bigint;
      currentLeader: { leaderId: number; leaderEpoch: number };
      abortedTransactions: { producerId: number | bigint; firstOffset: number | bigint }[] | null;
      preferredReadReplica: number;
      recordSet: Buffer | null;
    }[];
  }[];
}>;

type FetchTopic = Request['topics'][number];
type FetchPartition = FetchTopic['fetchPartitions'][number];

interface PartitionAnswer {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: [];
  preferredReadReplica: number;
  recordSet: Buffer | null;
}

/**
 * Fetch (1): reads each partition from its offset (one record batch per partition) within the
 * partition's and the request's byte limits — the first record always, as KIP-74 says — and,
 * while fewer than `minBytes` are there, waits up to `maxWait` for an append to any of them,
 * woken by the same change signal as HTTP long polls. No fetch sessions: every answer is full
 * (session id 0), which clients accept.
 */
@KafkaApi({ apiKey: 1, name: 'Fetch', minVersion: 4, maxVersion: 11 })
export class FetchHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly reader: PartitionReader,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const topics = request.topics;
    const allowed = new Map<string, boolean>();
    for (const topic of topics)
      allowed.set(topic.name, await this.authorizer.topic(context, topic.name, Operation.Read));
    const maxWait = Math.min(Math.max(request.maxWait, 0), MAX_FETCH_WAIT_MS);
    const minBytes = Math.max(request.minBytes, 0);
    const maxBytes = request.maxBytes;
    const deadline = Date.now() + maxWait;
    const refs = topics.flatMap((t) => t.fetchPartitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    for (;;) {
      const waiter = maxWait > 0 ? await this.reader.waiter(refs) : undefined;
      try {
        const { responses, bytes, failed } = await this.readAll(topics, allowed, maxBytes);
        const remaining = deadline - Date.now();
        if (bytes >= minBytes || failed || remaining <= 0 || !waiter || this.reader.closing)
          return { throttleTimeMs: 0, errorCode: KafkaError.NONE, sessionId: 0, responses };
        await waiter.wait(remaining);
      } finally {
        waiter?.cancel();
      }
    }
  }

  private async readAll(topics: FetchTopic[], allowed: Map<string, boolean>, maxBytes: number) {
    let bytes = 0;
    let failed = false;
    const responses = [];
    for (const topic of topics) {
      const partitionResponses: PartitionAnswer[] = [];
      for (const p of topic.fetchPartitions) {
        const answer = allowed.get(topic.name)
          ? await this.readPartition(topic.name, p, bytes === 0 ? Math.max(maxBytes, 1) : maxBytes - bytes)
          : empty(p.partitionIndex, KafkaError.TOPIC_AUTHORIZATION_FAILED);
        bytes += answer.recordSet?.length ?? 0;
        failed ||= answer.errorCode !== KafkaError.NONE;
        partitionResponses.push(answer);
      }
      responses.push({ topic: topic.name, partitionResponses });
    }
    return { responses, bytes, failed };
  }

  private async readPartition(topic: string, p: FetchPartition, budget: number): Promise<PartitionAnswer> {
    let read: StoredRead;
    try {
      // Past the request's byte limit a partition still reports its offsets, without records.
      const bytes = Math.max(Math.min(p.maxBytes, budget), 0);
      read = await this.reader.read(topic, p.partitionIndex, p.fetchOffset, bytes > 0 ? MAX_FETCH_RECORDS : 0, bytes);
    } catch (error) {
      return empty(p.partitionIndex, kafkaErrorOf(error).errorCode);
    }
    const records = read.records.map(kafkaRecordOf);
    return {
      partition: p.partitionIndex,
      errorCode: KafkaError.NONE,
      highWatermark: read.endOffset,
      lastStableOffset: read.endOffset,
      logStartOffset: read.startOffset,
      abortedTransactions: [],
      preferredReadReplica: -1,
      recordSet:
        records.length === 0 ? Buffer.alloc(0) : encodeRecordBatch({ baseOffset: records[0]!.offset, records }),
    };
  }
}

function empty(partition: number, errorCode: number): PartitionAnswer {
  return {
    partition,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: [],
    preferredReadReplica: -1,
    recordSet: Buffer.alloc(0),
  };
}
