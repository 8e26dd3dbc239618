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
