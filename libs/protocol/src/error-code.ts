import { named, s, type Schema, type Static } from './schema.js';

/**
 * Every error code the HTTP API answers with, as it appears in
 * `{"error": {"code", "message"}}`. Values are the wire strings.
 */
export enum ErrorCode {
  InvalidRequest = 'INVALID_REQUEST',
  InvalidName = 'INVALID_NAME',
  InvalidConfig = 'INVALID_CONFIG',
  InvalidPartitions = 'INVALID_PARTITIONS',
  InvalidRecord = 'INVALID_RECORD',
  UnknownTopic = 'UNKNOWN_TOPIC',
  UnknownPartition = 'UNKNOWN_PARTITION',
  TopicAlreadyExists = 'TOPIC_ALREADY_EXISTS',
  OffsetOutOfRange = 'OFFSET_OUT_OF_RANGE',
  UnknownGroup = 'UNKNOWN_GROUP',
  UnknownMember = 'UNKNOWN_MEMBER',
  Fenced = 'FENCED',
  GroupNotEmpty = 'GROUP_NOT_EMPTY',
  InvalidRecordState = 'INVALID_RECORD_STATE',
  TransactionAborted = 'TRANSACTION_ABORTED',
  RecordTooLarge = 'RECORD_TOO_LARGE',
  RequestTooLarge = 'REQUEST_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  NotFound = 'NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  Unavailable = 'UNAVAILABLE',
  Internal = 'INTERNAL',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  StorageFull = 'STORAGE_FULL',
  StorageUnavailable = 'STORAGE_UNAVAILABLE',
  QuotaExceeded = 'QUOTA_EXCEEDED',
  UnknownSchedule = 'UNKNOWN_SCHEDULE',
  UnknownScheduledRecord = 'UNKNOWN_SCHEDULED_RECORD',
  UnknownIdempotencyKey = 'UNKNOWN_IDEMPOTENCY_KEY',
  ShareSessionNotFound = 'SHARE_SESSION_NOT_FOUND',
  InvalidShareSessionEpoch = 'INVALID_SHARE_SESSION_EPOCH',
  UnsupportedStorage = 'UNSUPPORTED_STORAGE',
}

/** The body of every error answer. */
export const ErrorBody = named(
  'Error',
  s.object({
    error: s.object({
      code: named(
        'ErrorCode',
        s.enum(Object.values(ErrorCode), {
          description: 'The `error.code` of every error answer',
        }) as Schema<ErrorCode | string>,
      ),
      message: s.string(),
    }),
  }),
);
export type ErrorBody = Static<typeof ErrorBody>;
