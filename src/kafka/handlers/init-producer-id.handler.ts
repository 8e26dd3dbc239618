import { randomInt } from 'node:crypto';
import { KafkaApi, type KafkaApiHandler, KafkaError, type KafkaAnswer } from '../kafka-api.js';
import { ProducerSequences } from '../records/producer-sequences.js';

/** The fields of InitProducerIdRequest.json the handler reads, and of InitProducerIdResponse.json it answers. */
type Request = { transactionalId: string | null; producerId: number; producerEpoch: number };
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
 * PRODUCER_FENCED, as KIP-588 has it). Transactions are not supported: a transactional id is
 * refused with INVALID_REQUEST.
 */
@KafkaApi({ apiKey: 22, name: 'InitProducerId', minVersion: 0, maxVersion: 4 })
export class InitProducerIdHandler implements KafkaApiHandler<Request, Response> {
  constructor(private readonly sequences: ProducerSequences) {}

  handle(request: Request, version: number): Promise<Response> {
    const answer = (errorCode: number, producerId: number, producerEpoch: number) =>
      Promise.resolve({ throttleTimeMs: 0, errorCode, producerId, producerEpoch });
    if (request.transactionalId !== null) return answer(KafkaError.INVALID_REQUEST, -1, -1);
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
}
