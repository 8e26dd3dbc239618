import { RpcException } from '@nestjs/microservices';

/**
 * Thrown by a share-group handler to reject its record: it is archived at once (and copied to
 * the group's dead-letter topic, if one is configured), never delivered again. Like
 * `KafkaRetriableException`, it passes Nest's exception filter as itself.
 */
export class ShoalRejectException extends RpcException {
  constructor(message: string) {
    super(message);
    this.name = 'ShoalRejectException';
  }

  override getError(): this {
    return this;
  }
}
