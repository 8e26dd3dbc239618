import { MAX_OFFSET_METADATA_BYTES } from '../../consumer-groups/domain/consumer-group.js';
import { TopicService } from '../../log/topic.service.js';
import { Operation } from '../../security/domain/acl.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { txnGroupError, txnPartitionError, txnTopic } from '../transactions/txn-topics.js';
import type { TxnOffset } from '../storage/kafka-txn.store.js';
import { KafkaTransactions, txnErrorCode } from '../transactions/kafka-transactions.service.js';

/** The fields of TxnOffsetCommitRequest.json the handler reads, and of TxnOffsetCommitResponse.json it answers. */
type Request = {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  topics: {
    name: string;
    partitions: { partitionIndex: number; committedOffset: number; committedMetadata: string | null }[];
  }[];
};
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}>;

/**
 * TxnOffsetCommit (28): offsets the open transaction commits for a consumer group when it
 * commits (KafkaJS `transaction.sendOffsets()`); until then the group's committed offsets are
 * unchanged. Per partition: the topic must exist and be readable, the metadata at most 4,096
 * bytes; the valid ones are kept. v3's generation and member id are not checked (fencing is by
 * the transactional id's epoch).
 */
@KafkaApi({ apiKey: 28, name: 'TxnOffsetCommit', minVersion: 0, maxVersion: 3 })
export class TxnOffsetCommitHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly transactions: KafkaTransactions,
    private readonly topics: TopicService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const answer = (codeOf: (topic: string, partition: number) => number) => ({
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: codeOf(t.name, p.partitionIndex),
        })),
      })),
    });
    const invalid = txnGroupError(request.groupId);
    if (invalid !== KafkaError.NONE) return answer(() => invalid);
    if (!(await this.authorizer.group(context, request.groupId, Operation.Consume)))
      return answer(() => KafkaError.GROUP_AUTHORIZATION_FAILED);
    const errors = new Map<string, number>();
    const offsets: TxnOffset[] = [];
    for (const t of request.topics) {
      const topic = await txnTopic(this.authorizer, this.topics, context, t.name, Operation.Read);
      for (const p of t.partitions) {
        const found = txnPartitionError(topic, p.partitionIndex);
        const error =
          found !== KafkaError.NONE
            ? found
            : p.committedMetadata !== null && Buffer.byteLength(p.committedMetadata) > MAX_OFFSET_METADATA_BYTES
              ? KafkaError.OFFSET_METADATA_TOO_LARGE
              : KafkaError.NONE;
        errors.set(`${t.name}:${p.partitionIndex}`, error);
        if (error === KafkaError.NONE)
          offsets.push({
            group: request.groupId,
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            metadata: p.committedMetadata,
          });
      }
    }
    let common: number;
    try {
      const error = await this.transactions.commitOffsets({ ...request, principal: context.principal }, offsets);
      // TxnOffsetCommit has no PRODUCER_FENCED at any version Shoal answers: Kafka says INVALID_PRODUCER_EPOCH.
      common = txnErrorCode(error, version, Number.MAX_SAFE_INTEGER);
    } catch (error) {
      common = kafkaErrorOf(error).errorCode;
    }
    return answer((topic, partition) => errors.get(`${topic}:${partition}`) || common);
  }
}
