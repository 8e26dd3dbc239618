import { KAFKA_STORAGE_ERROR, kafkaErrorOf } from '../../src/kafka/kafka-errors.js';
import { StorageUnavailableError } from '../../src/platform/errors/index.js';

describe(kafkaErrorOf.name, () => {
  it('answers an unreachable database with the retriable KAFKA_STORAGE_ERROR instead of closing the connection', () => {
    expect(kafkaErrorOf(new StorageUnavailableError())).toBe(KAFKA_STORAGE_ERROR);
    expect(kafkaErrorOf({ driverError: { code: 'ECONNREFUSED' } })).toBe(KAFKA_STORAGE_ERROR);
    expect(kafkaErrorOf(new Error('Connection terminated unexpectedly'))).toBe(KAFKA_STORAGE_ERROR);
    expect(() => kafkaErrorOf(new Error('a bug'))).toThrow('a bug');
  });
});
