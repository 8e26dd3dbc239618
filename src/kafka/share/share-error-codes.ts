import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from '../../domain/errors/shoal.error.js';
import { KafkaError } from '../kafka-api.js';

/** Kafka's codes the share RPCs answer with beyond `KafkaError` (`org.apache.kafka.common.protocol.Errors`). */
export const KafkaShareError = {
  UNKNOWN_SERVER_ERROR: -1,
  KAFKA_STORAGE_ERROR: 56,
} as const;

/** The one table from a service's error to the Kafka code a share RPC answers with. */
const CODES: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UnknownMember]: KafkaError.UNKNOWN_MEMBER_ID,
  [ErrorCode.Fenced]: KafkaError.FENCED_MEMBER_EPOCH,
  [ErrorCode.InvalidRequest]: KafkaError.INVALID_REQUEST,
  [ErrorCode.InvalidName]: KafkaError.INVALID_GROUP_ID,
  [ErrorCode.UnknownGroup]: KafkaError.GROUP_ID_NOT_FOUND,
  [ErrorCode.UnknownTopic]: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  [ErrorCode.UnknownPartition]: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  [ErrorCode.InvalidRecordState]: KafkaError.INVALID_RECORD_STATE,
  [ErrorCode.ShareSessionNotFound]: KafkaError.SHARE_SESSION_NOT_FOUND,
  [ErrorCode.InvalidShareSessionEpoch]: KafkaError.INVALID_SHARE_SESSION_EPOCH,
  [ErrorCode.QuotaExceeded]: KafkaError.GROUP_MAX_SIZE_REACHED,
  [ErrorCode.Forbidden]: KafkaError.GROUP_AUTHORIZATION_FAILED,
  [ErrorCode.Unauthenticated]: KafkaError.GROUP_AUTHORIZATION_FAILED,
  [ErrorCode.StorageFull]: KafkaShareError.KAFKA_STORAGE_ERROR,
  [ErrorCode.Unavailable]: KafkaError.COORDINATOR_NOT_AVAILABLE,
};

/** The Kafka error code and message for an error a service threw; anything else is rethrown. */
export function kafkaErrorOf(error: unknown): { errorCode: number; errorMessage: string } {
  if (!(error instanceof ShoalError)) throw error;
  return { errorCode: CODES[error.code] ?? KafkaShareError.UNKNOWN_SERVER_ERROR, errorMessage: error.message };
}
