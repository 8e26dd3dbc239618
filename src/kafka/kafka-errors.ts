import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from '../platform/errors/index.js';
import { KafkaError } from './kafka-api.js';
import { isStorageUnavailable } from '../storage/storage-error-kind.js';

/** Kafka's catch-all code, for failures no other code describes. */
export const UNKNOWN_SERVER_ERROR = -1;
export const INVALID_CONFIG = 40;
export const KAFKA_STORAGE_ERROR = 56;
export const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;

/** The one table from Shoal's error codes to Kafka's, as the HTTP filter has one to statuses. */
const TABLE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidRequest]: KafkaError.INVALID_REQUEST,
  [ErrorCode.InvalidName]: KafkaError.INVALID_TOPIC_EXCEPTION,
  [ErrorCode.InvalidConfig]: INVALID_CONFIG,
  [ErrorCode.InvalidPartitions]: KafkaError.INVALID_PARTITIONS,
  [ErrorCode.InvalidRecord]: KafkaError.CORRUPT_MESSAGE,
  [ErrorCode.UnknownTopic]: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  [ErrorCode.UnknownPartition]: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  [ErrorCode.TopicAlreadyExists]: KafkaError.TOPIC_ALREADY_EXISTS,
  [ErrorCode.OffsetOutOfRange]: KafkaError.OFFSET_OUT_OF_RANGE,
  [ErrorCode.UnknownGroup]: KafkaError.GROUP_ID_NOT_FOUND,
  [ErrorCode.UnknownMember]: KafkaError.UNKNOWN_MEMBER_ID,
  [ErrorCode.Fenced]: KafkaError.ILLEGAL_GENERATION,
  [ErrorCode.GroupNotEmpty]: KafkaError.NON_EMPTY_GROUP,
  [ErrorCode.InvalidRecordState]: KafkaError.INVALID_RECORD_STATE,
  [ErrorCode.RecordTooLarge]: KafkaError.MESSAGE_TOO_LARGE,
  [ErrorCode.RequestTooLarge]: KafkaError.RECORD_LIST_TOO_LARGE,
  [ErrorCode.Unavailable]: KafkaError.REQUEST_TIMED_OUT,
  [ErrorCode.Unauthenticated]: KafkaError.SASL_AUTHENTICATION_FAILED,
  [ErrorCode.Forbidden]: KafkaError.TOPIC_AUTHORIZATION_FAILED,
  [ErrorCode.StorageFull]: KAFKA_STORAGE_ERROR,
  [ErrorCode.StorageUnavailable]: KAFKA_STORAGE_ERROR,
  [ErrorCode.QuotaExceeded]: KafkaError.POLICY_VIOLATION,
};

/**
 * Kafka's code for a failure a service threw; an unreachable database is KAFKA_STORAGE_ERROR,
 * which clients retry; anything else not a `ShoalError` is rethrown (the connection closes, logged).
 */
export function kafkaErrorOf(error: unknown): number {
  if (isStorageUnavailable(error)) return KAFKA_STORAGE_ERROR;
  if (!(error instanceof ShoalError)) throw error;
  return TABLE[error.code] ?? UNKNOWN_SERVER_ERROR;
}

/** Kafka's code and the message, for responses that carry an error message. */
export function kafkaFailureOf(error: unknown): { errorCode: number; errorMessage: string } {
  return { errorCode: kafkaErrorOf(error), errorMessage: (error as Error).message };
}
