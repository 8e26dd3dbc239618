import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from '../platform/errors/index.js';
import { KafkaError } from './kafka-api.js';
import { isStorageUnavailable } from '../storage/storage-error-kind.js';

/**
 * Where a failure is answered: most APIs (`topic`), or the share-group RPCs of KIP-932
 * (`share`), which name a fenced member epoch, share sessions, the group rather than a topic.
 */
export type KafkaErrorScope = 'topic' | 'share';

/** A code for every scope, or one that differs for the share RPCs. */
type Codes = number | { topic: number; share: number };

/** The one table from Shoal's error codes to Kafka's, as the HTTP filter has one to statuses. */
const TABLE: Partial<Record<ErrorCode, Codes>> = {
  [ErrorCode.InvalidRequest]: KafkaError.INVALID_REQUEST,
  [ErrorCode.InvalidName]: { topic: KafkaError.INVALID_TOPIC_EXCEPTION, share: KafkaError.INVALID_GROUP_ID },
  [ErrorCode.InvalidConfig]: KafkaError.INVALID_CONFIG,
  [ErrorCode.InvalidPartitions]: KafkaError.INVALID_PARTITIONS,
  [ErrorCode.InvalidRecord]: KafkaError.CORRUPT_MESSAGE,
  [ErrorCode.UnknownTopic]: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  [ErrorCode.UnknownPartition]: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  [ErrorCode.TopicAlreadyExists]: KafkaError.TOPIC_ALREADY_EXISTS,
  [ErrorCode.OffsetOutOfRange]: KafkaError.OFFSET_OUT_OF_RANGE,
  [ErrorCode.UnknownGroup]: KafkaError.GROUP_ID_NOT_FOUND,
  [ErrorCode.UnknownMember]: KafkaError.UNKNOWN_MEMBER_ID,
  [ErrorCode.Fenced]: { topic: KafkaError.ILLEGAL_GENERATION, share: KafkaError.FENCED_MEMBER_EPOCH },
  [ErrorCode.GroupNotEmpty]: KafkaError.NON_EMPTY_GROUP,
  [ErrorCode.InvalidRecordState]: KafkaError.INVALID_RECORD_STATE,
  [ErrorCode.ShareSessionNotFound]: KafkaError.SHARE_SESSION_NOT_FOUND,
  [ErrorCode.InvalidShareSessionEpoch]: KafkaError.INVALID_SHARE_SESSION_EPOCH,
  [ErrorCode.RecordTooLarge]: KafkaError.MESSAGE_TOO_LARGE,
  [ErrorCode.RequestTooLarge]: KafkaError.RECORD_LIST_TOO_LARGE,
  [ErrorCode.Unavailable]: { topic: KafkaError.REQUEST_TIMED_OUT, share: KafkaError.COORDINATOR_NOT_AVAILABLE },
  [ErrorCode.Unauthenticated]: KafkaError.SASL_AUTHENTICATION_FAILED,
  [ErrorCode.Forbidden]: { topic: KafkaError.TOPIC_AUTHORIZATION_FAILED, share: KafkaError.GROUP_AUTHORIZATION_FAILED },
  [ErrorCode.StorageFull]: KafkaError.KAFKA_STORAGE_ERROR,
  [ErrorCode.StorageUnavailable]: KafkaError.KAFKA_STORAGE_ERROR,
  [ErrorCode.QuotaExceeded]: { topic: KafkaError.POLICY_VIOLATION, share: KafkaError.GROUP_MAX_SIZE_REACHED },
};

/**
 * Kafka's code and the message for a failure a service threw, in the scope of the API that
 * answers it; an unreachable database is KAFKA_STORAGE_ERROR, which clients retry; anything
 * else not a `ShoalError` is rethrown (the connection closes, logged).
 */
export function kafkaErrorOf(
  error: unknown,
  scope: KafkaErrorScope = 'topic',
): { errorCode: number; errorMessage: string } {
  if (isStorageUnavailable(error))
    return { errorCode: KafkaError.KAFKA_STORAGE_ERROR, errorMessage: 'the database is unreachable' };
  if (!(error instanceof ShoalError)) throw error;
  const codes = TABLE[error.code];
  const errorCode =
    codes === undefined ? KafkaError.UNKNOWN_SERVER_ERROR : typeof codes === 'number' ? codes : codes[scope];
  return { errorCode, errorMessage: error.message };
}
