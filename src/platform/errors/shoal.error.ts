import { ErrorCode } from '@shoal/protocol';

/**
 * Every failure a service reports. The HTTP layer maps `code` to a status in one table;
 * services never throw HTTP exceptions.
 */
export class ShoalError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRequestError extends ShoalError {
  constructor(message: string) {
    super(ErrorCode.InvalidRequest, message);
  }
}

export class InvalidNameError extends ShoalError {
  constructor(kind: 'topic' | 'group' | 'schedule', name: string) {
    super(
      ErrorCode.InvalidName,
      `${kind} name ${JSON.stringify(name.slice(0, 300))} must match ^[a-zA-Z0-9._-]{1,249}$`,
    );
  }
}

export class InvalidConfigError extends ShoalError {
  constructor(message: string) {
    super(ErrorCode.InvalidConfig, message);
  }
}

export class InvalidPartitionsError extends ShoalError {
  constructor(message: string) {
    super(ErrorCode.InvalidPartitions, message);
  }
}

export class InvalidRecordError extends ShoalError {
  constructor(index: number, problem: string) {
    super(ErrorCode.InvalidRecord, `records[${index}]: ${problem}`);
  }
}

export class RecordTooLargeError extends ShoalError {
  constructor(index: number, size: number, limit: number) {
    super(ErrorCode.RecordTooLarge, `records[${index}] is ${size} bytes; the limit is ${limit}`);
  }
}
