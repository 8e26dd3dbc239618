import { KafkaError } from '../../src/kafka/kafka-api.js';
import { kafkaErrorOf } from '../../src/kafka/kafka-errors.js';
import { StorageUnavailableError } from '../../src/platform/errors/index.js';

describe(kafkaErrorOf.name, () => {
  it('answers an unreachable database with the retriable KAFKA_STORAGE_ERROR instead of closing the connection', () => {
    const code = (error: unknown) => kafkaErrorOf(error).errorCode;
    expect(KafkaError.KAFKA_STORAGE_ERROR).toBe(56);
    expect(code(new StorageUnavailableError())).toBe(KafkaError.KAFKA_STORAGE_ERROR);
    expect(code({ driverError: { code: 'ECONNREFUSED' } })).toBe(KafkaError.KAFKA_STORAGE_ERROR);
    expect(code(new Error('Connection terminated unexpectedly'))).toBe(KafkaError.KAFKA_STORAGE_ERROR);
    expect(kafkaErrorOf(new StorageUnavailableError(), 'share').errorCode).toBe(KafkaError.KAFKA_STORAGE_ERROR);
    expect(() => kafkaErrorOf(new Error('a bug'))).toThrow('a bug');
  });
});
