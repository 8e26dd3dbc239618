import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from './shoal.error.js';

/** An operation the configured database kind does not offer (e.g. an online copy of PostgreSQL). */
export class UnsupportedStorageError extends ShoalError {
  constructor(message: string) {
    super(ErrorCode.UnsupportedStorage, message);
  }
}
