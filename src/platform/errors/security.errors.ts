import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from './shoal.error.js';

export class UnauthenticatedError extends ShoalError {
  constructor(message = 'this broker needs an API key: Authorization: Bearer <key>') {
    super(ErrorCode.Unauthenticated, message);
  }
}

export class ForbiddenError extends ShoalError {
  constructor(message: string) {
    super(ErrorCode.Forbidden, message);
  }
}

export class StorageFullError extends ShoalError {
  constructor() {
    super(
      ErrorCode.StorageFull,
      'the broker storage is full: delete topics or groups, or lower retention, to free space',
    );
  }
}

/**
 * The database cannot be reached (stopped, restarting, failing over): answered 503. With
 * `Retry-After` when nothing of the request was applied, so any request may be sent again;
 * without it when the connection broke while a write was committing (`outcomeUnknown`): it may
 * have been applied, and only a request that is safe to repeat (idempotency keys) should be.
 */
export class StorageUnavailableError extends ShoalError {
  constructor(
    readonly outcomeUnknown = false,
    cause?: unknown,
  ) {
    super(
      ErrorCode.StorageUnavailable,
      outcomeUnknown
        ? 'the connection to the database broke while a write was committing: it may or may not have been applied'
        : 'the broker cannot reach its database: nothing was applied; try again after Retry-After',
    );
    if (cause !== undefined) this.cause = cause;
  }
}

export class QuotaExceededError extends ShoalError {
  constructor(what: string, limit: number, variable: string) {
    super(ErrorCode.QuotaExceeded, `${what}: the limit is ${limit} (${variable})`);
  }
}

export class NotFoundError extends ShoalError {
  constructor(message: string) {
    super(ErrorCode.NotFound, message);
  }
}
