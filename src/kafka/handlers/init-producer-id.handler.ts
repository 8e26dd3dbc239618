import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { type KafkaApiHandler, KafkaError } from '../kafka-api.js';

/**
 * InitProducerId (22): a fresh producer id for an idempotent producer (random, below 2^47, so
 * brokers on one database need not agree on a counter). Transactions are not supported: a
 * transactional id is refused with INVALID_REQUEST.
 */
@Injectable()
export class InitProducerIdHandler implements KafkaApiHandler {
  readonly apiKey = 22;
  readonly name = 'InitProducerId';
  readonly minVersion = 0;
  readonly maxVersion = 2;

  handle(request: Record<string, unknown>) {
    if (request['transactionalId'] !== null)
      return Promise.resolve({
        throttleTimeMs: 0,
        errorCode: KafkaError.INVALID_REQUEST,
        producerId: -1,
        producerEpoch: -1,
      });
    return Promise.resolve({
      throttleTimeMs: 0,
      errorCode: KafkaError.NONE,
      producerId: randomInt(1, 2 ** 47),
      producerEpoch: 0,
    });
  }
}
