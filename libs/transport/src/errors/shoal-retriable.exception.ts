import { RpcException } from '@nestjs/microservices';

/**
 * Thrown by a share-group handler to have its record released for another delivery, after
 * `delayMs` if given (else the worker's backoff). Any other unexpected error is treated the
 * same way; this class lets the handler choose the delay. Like `KafkaRetriableException`, it
 * passes Nest's exception filter as itself.
 */
export class ShoalRetriableException extends RpcException {
  constructor(
    message: string,
    /** How long the record stays away before it can be delivered again. */
    readonly delayMs?: number,
  ) {
    super(message);
    this.name = 'ShoalRetriableException';
  }

  override getError(): this {
    return this;
  }
}
