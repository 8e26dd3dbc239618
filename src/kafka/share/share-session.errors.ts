import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from '../../platform/errors/shoal.error.js';

/** A share-session request (epoch above 0, or -1) for a member with no open share session. */
export class ShareSessionNotFoundError extends ShoalError {
  constructor(group: string, memberId: string) {
    super(ErrorCode.ShareSessionNotFound, `member ${memberId} of share group ${group} has no open share session`);
  }
}

/** A share-session request whose epoch is not the one the session expects next. */
export class InvalidShareSessionEpochError extends ShoalError {
  constructor(expected: number | null, got: number) {
    super(
      ErrorCode.InvalidShareSessionEpoch,
      expected === null
        ? `share session epoch ${got} is not valid here`
        : `share session epoch ${got} is not the expected ${expected}`,
    );
  }
}
