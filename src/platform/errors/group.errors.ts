import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from './shoal.error.js';

export class UnknownGroupError extends ShoalError {
  constructor(group: string) {
    super(ErrorCode.UnknownGroup, `group ${group} does not exist`);
  }
}

export class UnknownMemberError extends ShoalError {
  constructor(group: string, memberId: string) {
    super(
      ErrorCode.UnknownMember,
      `member ${memberId} is not in group ${group} (its session expired or it left): join again`,
    );
  }
}

export class FencedError extends ShoalError {
  constructor(message: string) {
    super(ErrorCode.Fenced, message);
  }
}

export class GroupNotEmptyError extends ShoalError {
  constructor(group: string) {
    super(ErrorCode.GroupNotEmpty, `group ${group} still has members`);
  }
}
