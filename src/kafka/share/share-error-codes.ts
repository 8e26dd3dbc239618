import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from '../../platform/errors/shoal.error.js';
import { KafkaError } from '../kafka-api.js';
import { kafkaErrorOf as kafkaCodeOf } from '../kafka-errors.js';

/**
 * Where the share RPCs answer otherwise than the front door's one table (`kafka-errors.ts`): a
 * fenced member epoch, share sessions, a group name, a member of another principal, group quotas.
 */
const SHARE_CODES: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Fenced]: KafkaError.FENCED_MEMBER_EPOCH,
  [ErrorCode.ShareSessionNotFound]: KafkaError.SHARE_SESSION_NOT_FOUND,
  [ErrorCode.InvalidShareSessionEpoch]: KafkaError.INVALID_SHARE_SESSION_EPOCH,
  [ErrorCode.InvalidName]: KafkaError.INVALID_GROUP_ID,
  [ErrorCode.Forbidden]: KafkaError.GROUP_AUTHORIZATION_FAILED,
  [ErrorCode.QuotaExceeded]: KafkaError.GROUP_MAX_SIZE_REACHED,
  [ErrorCode.Unavailable]: KafkaError.COORDINATOR_NOT_AVAILABLE,
};

/** The Kafka error code and message for an error a service threw; anything else is rethrown. */
export function kafkaErrorOf(error: unknown): { errorCode: number; errorMessage: string } {
  if (!(error instanceof ShoalError)) throw error;
  return { errorCode: SHARE_CODES[error.code] ?? kafkaCodeOf(error), errorMessage: error.message };
}
