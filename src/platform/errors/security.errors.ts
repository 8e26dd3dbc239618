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

/** The database cannot be reached (stopped, restarting, failing over): answered 503 with `Retry-After`. */
export class StorageUnavailableError extends ShoalError {
  constructor(message = 'the broker cannot reach its database: try again shortly (see Retry-After)') {
    super(ErrorCode.StorageUnavailable, message);
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
