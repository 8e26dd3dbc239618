import { TopicService } from '../../log/topic.service.js';
import { Operation } from '../../security/domain/acl.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { txnPartitionError, txnTopic } from '../transactions/txn-topics.js';
import { KafkaTransactions, txnErrorCode } from '../transactions/kafka-transactions.service.js';

/** The fields of AddPartitionsToTxnRequest.json the handler reads (v0–3), and of its response. */
type Request = {
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: number;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: { name: string; partitions: number[] }[];
};
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  resultsByTopicV3AndBelow: {
    name: string;
    resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[];
  }[];
}>;

/**
 * AddPartitionsToTxn (24): the producer (transactional id, producer id, epoch) is checked and
 * its transaction is open from now (its timeout runs). Each partition must exist and the
 * principal may produce to its topic; if one fails, the others are OPERATION_NOT_ATTEMPTED and
 * nothing changes, as in Kafka. Shoal does not keep the list: records go to whichever partition
 * a transactional batch names, and are appended at commit.
 */
@KafkaApi({ apiKey: 24, name: 'AddPartitionsToTxn', minVersion: 0, maxVersion: 3 })
export class AddPartitionsToTxnHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly transactions: KafkaTransactions,
    private readonly topics: TopicService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const asked = request.v3AndBelowTopics;
    const errors = new Map<string, number>();
    for (const t of asked) {
      const topic = await txnTopic(this.authorizer, this.topics, context, t.name, Operation.Produce);
      for (const p of t.partitions) errors.set(`${t.name}:${p}`, txnPartitionError(topic, p));
    }
    const failed = [...errors.values()].some((code) => code !== KafkaError.NONE);
    let common: number = KafkaError.OPERATION_NOT_ATTEMPTED;
    if (!failed) {
      try {
        const error = await this.transactions.begin({
          transactionalId: request.v3AndBelowTransactionalId,
          producerId: request.v3AndBelowProducerId,
          producerEpoch: request.v3AndBelowProducerEpoch,
          principal: context.principal,
        });
        common = txnErrorCode(error, version, 2);
      } catch (error) {
        common = kafkaErrorOf(error).errorCode;
      }
    }
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: asked.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((partitionIndex) => ({
          partitionIndex,
          partitionErrorCode: errors.get(`${t.name}:${partitionIndex}`) || common,
        })),
      })),
    };
  }
}
