/**
 * Thrown by a share-group handler to have its record released for another delivery, after
 * `delayMs` if given (else the worker's backoff). Any other unexpected error is treated the
 * same way; this class only lets the handler choose the delay.
 */
export class ShoalRetriableException extends Error {
  constructor(
    message: string,
    /** How long the record stays away before it can be delivered again. */
    readonly delayMs?: number,
  ) {
    super(message);
    this.name = 'ShoalRetriableException';
  }
}
