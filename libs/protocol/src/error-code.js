import { named, s } from './schema.js';
/**
 * Every error code the HTTP API answers with, as it appears in
 * `{"error": {"code", "message"}}`. Values are the wire strings.
 */
export var ErrorCode;
(function (ErrorCode) {
    ErrorCode["InvalidRequest"] = "INVALID_REQUEST";
    ErrorCode["InvalidName"] = "INVALID_NAME";
    ErrorCode["InvalidConfig"] = "INVALID_CONFIG";
    ErrorCode["InvalidPartitions"] = "INVALID_PARTITIONS";
    ErrorCode["InvalidRecord"] = "INVALID_RECORD";
    ErrorCode["UnknownTopic"] = "UNKNOWN_TOPIC";
    ErrorCode["UnknownPartition"] = "UNKNOWN_PARTITION";
    ErrorCode["TopicAlreadyExists"] = "TOPIC_ALREADY_EXISTS";
    ErrorCode["OffsetOutOfRange"] = "OFFSET_OUT_OF_RANGE";
    ErrorCode["UnknownGroup"] = "UNKNOWN_GROUP";
    ErrorCode["UnknownMember"] = "UNKNOWN_MEMBER";
    ErrorCode["Fenced"] = "FENCED";
    ErrorCode["GroupNotEmpty"] = "GROUP_NOT_EMPTY";
    ErrorCode["InvalidRecordState"] = "INVALID_RECORD_STATE";
    ErrorCode["TransactionAborted"] = "TRANSACTION_ABORTED";
    ErrorCode["RecordTooLarge"] = "RECORD_TOO_LARGE";
    ErrorCode["RequestTooLarge"] = "REQUEST_TOO_LARGE";
    ErrorCode["UnsupportedMediaType"] = "UNSUPPORTED_MEDIA_TYPE";
    ErrorCode["NotFound"] = "NOT_FOUND";
    ErrorCode["MethodNotAllowed"] = "METHOD_NOT_ALLOWED";
    ErrorCode["Unavailable"] = "UNAVAILABLE";
    ErrorCode["Internal"] = "INTERNAL";
    ErrorCode["Unauthenticated"] = "UNAUTHENTICATED";
    ErrorCode["Forbidden"] = "FORBIDDEN";
    ErrorCode["StorageFull"] = "STORAGE_FULL";
    ErrorCode["StorageUnavailable"] = "STORAGE_UNAVAILABLE";
    ErrorCode["QuotaExceeded"] = "QUOTA_EXCEEDED";
    ErrorCode["UnknownSchedule"] = "UNKNOWN_SCHEDULE";
    ErrorCode["UnknownScheduledRecord"] = "UNKNOWN_SCHEDULED_RECORD";
    ErrorCode["UnknownIdempotencyKey"] = "UNKNOWN_IDEMPOTENCY_KEY";
    ErrorCode["ShareSessionNotFound"] = "SHARE_SESSION_NOT_FOUND";
    ErrorCode["InvalidShareSessionEpoch"] = "INVALID_SHARE_SESSION_EPOCH";
    ErrorCode["UnsupportedStorage"] = "UNSUPPORTED_STORAGE";
})(ErrorCode || (ErrorCode = {}));
/** The body of every error answer. */
export const ErrorBody = named('Error', s.object({
    error: s.object({
        code: named('ErrorCode', s.enum(Object.values(ErrorCode), {
            description: 'The `error.code` of every error answer',
        })),
        message: s.string(),
    }),
}));
//# sourceMappingURL=error-code.js.map