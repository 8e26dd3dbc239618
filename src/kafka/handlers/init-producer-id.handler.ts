import { randomInt } from 'node:crypto';
import {
  KafkaApi,
  type KafkaApiHandler,
  KafkaError,
  type KafkaAnswer,
  type KafkaRequestContext,
} from '../kafka-api.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { ProducerSequences } from '../records/producer-sequences.js';
import { KafkaTransactions, txnErrorCode } from '../transactions/kafka-transactions.service.js';

/** The fields of InitProducerIdRequest.json the handler reads, and of InitProducerIdResponse.json it answers. */
type Request = {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: number;
  producerEpoch: number;
};
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  producerId: number | bigint;
  producerEpoch: number;
}>;

const MAX_EPOCH = 32_767;

/**
 * InitProducerId (22): a fresh producer id for an idempotent producer (random, below 2^47, so
 * brokers on one database need not agree on a counter). From v3 a producer that has an id may
 * send it with its epoch (KIP-360): the epoch is bumped, fencing batches with the old one; a
 * producer whose epoch is not the newest is fenced (INVALID_PRODUCER_EPOCH, from v4
 * PRODUCER_FENCED, as KIP-588 has it). With a transactional id, `KafkaTransactions` answers:
 * the id's producer id and next epoch, fencing the older one and aborting its open transaction.
 */
@KafkaApi({ apiKey: 22, name: 'InitProducerId', minVersion: 0, maxVersion: 4 })
export class InitProducerIdHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly sequences: ProducerSequences,
    private readonly transactions: KafkaTransactions,
  ) {}

  handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const answer = (errorCode: number, producerId: number, producerEpoch: number) =>
      Promise.resolve({ throttleTimeMs: 0, errorCode, producerId, producerEpoch });
    if (request.transactionalId !== null) return this.transactional(request, request.transactionalId, version, context);
    const producerId = version >= 3 ? request.producerId : -1;
    const producerEpoch = version >= 3 ? request.producerEpoch : -1;
    if (producerId >= 0 && producerEpoch >= 0) {
      const next = this.sequences.bumpEpoch(producerId, producerEpoch);
      if (next === null)
        return answer(version >= 4 ? KafkaError.PRODUCER_FENCED : KafkaError.INVALID_PRODUCER_EPOCH, -1, -1);
      if (next <= MAX_EPOCH) return answer(KafkaError.NONE, producerId, next);
    }
    return answer(KafkaError.NONE, randomInt(1, 2 ** 47), 0);
  }

  private async transactional(
    request: Request,
    transactionalId: string,
    version: number,
    context: KafkaRequestContext,
  ): Promise<Response> {
    try {
      const { error, producerId, producerEpoch } = await this.transactions.init(
        {
          transactionalId,
          producerId: version >= 3 ? request.producerId : -1,
          producerEpoch: version >= 3 ? request.producerEpoch : -1,
          principal: context.principal,
        },
        request.transactionTimeoutMs,
      );
      return { throttleTimeMs: 0, errorCode: txnErrorCode(error, version, 4), producerId, producerEpoch };
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorOf(error).errorCode, producerId: -1, producerEpoch: -1 };
    }
  }
}
