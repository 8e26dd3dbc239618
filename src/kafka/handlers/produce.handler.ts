import { Inject } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';
import { Operation } from '../../security/domain/acl.js';
import { ProduceService } from '../../log/produce.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import {
  CorruptRecordError,
  decodeRecordBatches,
  isTransactional,
  UnsupportedCompressionError,
} from '../protocol/record-batch.js';
import { appendRecordOf } from '../records/kafka-records.js';
import { ProducerSequences } from '../records/producer-sequences.js';
import { KafkaTransactions } from '../transactions/kafka-transactions.service.js';

/** The fields of ProduceRequest.json the handler reads, and of ProduceResponse.json it answers. */
type Request = {
  acks: number;
  topics: { name: string; partitions: { partitionIndex: number; records: Buffer | null }[] }[];
};
type Response = KafkaAnswer<{
  responses: {
    name: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      baseOffset: number | bigint;
      logAppendTimeMs: number | bigint;
      logStartOffset: number | bigint;
      recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
      errorMessage: string | null;
    }[];
  }[];
  throttleTimeMs: number;
}>;

type PartitionData = Request['topics'][number]['partitions'][number];

/**
 * Produce (0): each partition's record batches are appended through `ProduceService` — the
 * same group commit, limits and metrics as HTTP produce — and answered after the commit,
 * whatever `acks` says (acks 0 gets no answer, as in Kafka). Partitions are independent: one
 * failing does not stop the others. A transactional batch is not appended: it is kept with its
 * open transaction (`KafkaTransactions`) until EndTxn, and answered with base offset -1.
 */
@KafkaApi({ apiKey: 0, name: 'Produce', minVersion: 3, maxVersion: 8 })
export class ProduceHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly produce: ProduceService,
    private readonly authorizer: KafkaAuthorizer,
    private readonly sequences: ProducerSequences,
    private readonly transactions: KafkaTransactions,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const topics = request.topics;
    const responses = await Promise.all(
      topics.map(async (topic) => {
        const allowed = await this.authorizer.topic(context, topic.name, Operation.Produce);
        const partitions = await Promise.all(
          topic.partitions.map((p) =>
            allowed ? this.append(topic.name, p) : answer(p.partitionIndex, KafkaError.TOPIC_AUTHORIZATION_FAILED, -1),
          ),
        );
        return { name: topic.name, partitions };
      }),
    );
    return { responses, throttleTimeMs: 0 };
  }

  private async append(topic: string, data: PartitionData) {
    const partition = data.partitionIndex;
    try {
      const batches = decodeRecordBatches(data.records ?? Buffer.alloc(0));
      const records = batches.flatMap((b) => b.records.map((r) => appendRecordOf(r, partition)));
      if (records.length === 0) return answer(partition, KafkaError.CORRUPT_MESSAGE, -1);
      if (records.some((r) => r.size > this.config.maxRecordBytes))
        return answer(partition, KafkaError.MESSAGE_TOO_LARGE, -1);
      if (batches.some(isTransactional)) {
        // Kafka takes exactly one batch per partition from v3, and so does Shoal for a transaction's.
        const batch = batches[0]!;
        if (batches.length !== 1 || batch.producerId < 0) return answer(partition, KafkaError.CORRUPT_MESSAGE, -1);
        const error = await this.transactions.produce(batch.producerId, batch.producerEpoch, {
          topic,
          partition,
          baseSequence: batch.baseSequence,
          lastSequence: batch.baseSequence + batch.lastOffsetDelta,
          records: data.records!,
        });
        return answer(partition, KafkaError[error], -1);
      }
      const idempotent = batches[0]!.producerId >= 0 && batches.length === 1 ? batches[0]! : null;
      if (idempotent) {
        const check = this.sequences.check(
          idempotent.producerId,
          idempotent.producerEpoch,
          topic,
          partition,
          idempotent.baseSequence,
        );
        if (check.kind === 'duplicate') return answer(partition, KafkaError.NONE, check.baseOffset);
        if (check.kind === 'out-of-order') return answer(partition, KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER, -1);
        if (check.kind === 'fenced') return answer(partition, KafkaError.INVALID_PRODUCER_EPOCH, -1);
      }
      const positions = await this.produce.produce(topic, records);
      const baseOffset = positions[0]!.offset;
      if (idempotent)
        this.sequences.appended(idempotent.producerId, idempotent.producerEpoch, topic, partition, {
          baseSequence: idempotent.baseSequence,
          lastSequence: idempotent.baseSequence + idempotent.lastOffsetDelta,
          baseOffset,
        });
      return answer(partition, KafkaError.NONE, baseOffset);
    } catch (error) {
      if (error instanceof UnsupportedCompressionError)
        return answer(partition, KafkaError.UNSUPPORTED_COMPRESSION_TYPE, -1);
      if (error instanceof CorruptRecordError) return answer(partition, KafkaError.CORRUPT_MESSAGE, -1);
      return answer(partition, kafkaErrorOf(error).errorCode, -1);
    }
  }
}

function answer(partitionIndex: number, errorCode: number, baseOffset: number) {
  return {
    partitionIndex,
    errorCode,
    baseOffset,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage: null,
  };
}
