import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from './shoal.error.js';

export class UnknownScheduleError extends ShoalError {
  constructor(name: string) {
    super(ErrorCode.UnknownSchedule, `schedule ${name} does not exist`);
  }
}

export class UnknownScheduledRecordError extends ShoalError {
  constructor(topic: string, id: string) {
    super(ErrorCode.UnknownScheduledRecord, `topic ${topic} has no scheduled record ${id.slice(0, 100)}`);
  }
}

export class UnknownIdempotencyKeyError extends ShoalError {
  constructor(topic: string, key: string) {
    super(
      ErrorCode.UnknownIdempotencyKey,
      `topic ${topic} has no record produced with idempotency key ${key.slice(0, 100)} (within its idempotency window)`,
    );
  }
}

/** A progress report for a record the member does not hold (not acquired by it, or its lock ran out). */
export class NotHeldError extends ShoalError {
  constructor(topic: string, partition: number, offset: number) {
    super(
      ErrorCode.InvalidRecordState,
      `the member does not hold ${topic.slice(0, 100)}/${partition}@${offset} (not acquired by it, or its lock ran out)`,
    );
  }
}

/** A job's progress or result larger than its bound. */
export class JobValueTooLargeError extends ShoalError {
  constructor(what: 'progress' | 'result', bytes: number, max: number) {
    super(ErrorCode.InvalidRequest, `${what} is ${bytes} bytes of JSON, more than ${max}`);
  }
}
