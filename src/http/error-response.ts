import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ErrorCode, type ErrorBody } from '@shoal/protocol';
import { ShoalError, StorageFullError, StorageUnavailableError } from '../platform/errors/index.js';
import { STORAGE_RETRY_AFTER_SECONDS } from '../storage/storage-availability.js';
import { isStorageUnavailable, storageErrorKind } from '../storage/storage-error-kind.js';

/** The one table from error code to HTTP status. */
const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.InvalidName]: 400,
  [ErrorCode.InvalidConfig]: 400,
  [ErrorCode.InvalidPartitions]: 400,
  [ErrorCode.InvalidRecord]: 400,
  [ErrorCode.UnknownPartition]: 400,
  [ErrorCode.OffsetOutOfRange]: 400,
  [ErrorCode.UnknownTopic]: 404,
  [ErrorCode.UnknownGroup]: 404,
  [ErrorCode.UnknownMember]: 404,
  [ErrorCode.Fenced]: 409,
  [ErrorCode.GroupNotEmpty]: 409,
  [ErrorCode.InvalidRecordState]: 409,
  [ErrorCode.TransactionAborted]: 409,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.TopicAlreadyExists]: 409,
  [ErrorCode.RecordTooLarge]: 413,
  [ErrorCode.RequestTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.Internal]: 500,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.StorageFull]: 503,
  [ErrorCode.StorageUnavailable]: 503,
  [ErrorCode.QuotaExceeded]: 409,
  [ErrorCode.UnknownSchedule]: 404,
  [ErrorCode.UnknownScheduledRecord]: 404,
  [ErrorCode.UnknownIdempotencyKey]: 404,
  [ErrorCode.ShareSessionNotFound]: 409,
  [ErrorCode.InvalidShareSessionEpoch]: 409,
  [ErrorCode.UnsupportedStorage]: 409,
};

/** Fastify's own errors, raised before a request reaches a controller. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.RequestTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UnsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.InvalidRequest,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.InvalidRequest,
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.InvalidRequest,
};

/** Nest's HTTP exceptions that can reach the filter (unknown routes, health checks). */
const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.InvalidRequest,
  [HttpStatus.NOT_FOUND]: ErrorCode.NotFound,
  [HttpStatus.METHOD_NOT_ALLOWED]: ErrorCode.MethodNotAllowed,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.RequestTooLarge,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.UnsupportedMediaType,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.Unavailable,
};

const logger = new Logger('HttpErrors');

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Seconds for a `Retry-After` header: the refusal is temporary (STORAGE_UNAVAILABLE). */
  retryAfterSeconds?: number;
}

function respond(code: ErrorCode, message: string): ErrorResponse {
  return { status: STATUS[code], body: { error: { code, message } } };
}

/** 503 STORAGE_UNAVAILABLE, with `Retry-After` unless the request may have been applied. */
function unavailable(error: StorageUnavailableError): ErrorResponse {
  const response = respond(error.code, error.message);
  if (!error.outcomeUnknown) response.retryAfterSeconds = STORAGE_RETRY_AFTER_SECONDS;
  return response;
}

/** Turns anything thrown while serving a request into the contract's error answer. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof StorageUnavailableError) return unavailable(error);
  if (error instanceof ShoalError) return respond(error.code, error.message);
  if (storageErrorKind(error) === 'disk_full') return respond(ErrorCode.StorageFull, new StorageFullError().message);
  if (isStorageUnavailable(error)) return unavailable(new StorageUnavailableError());
  if (error instanceof HttpException) {
    const code = HTTP_STATUS_CODES[error.getStatus()];
    if (code) return respond(code, error.message);
  }
  const fastifyCode = (error as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && fastifyCode in FASTIFY_CODES) {
    return respond(FASTIFY_CODES[fastifyCode], (error as Error).message);
  }
  if (error instanceof SyntaxError || (error as { statusCode?: number } | null)?.statusCode === 400) {
    return respond(ErrorCode.InvalidRequest, `malformed request: ${(error as Error).message}`);
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return respond(ErrorCode.Internal, 'internal error');
}

/** The HTTP status an error code is answered with (the OpenAPI document lists them). */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}
