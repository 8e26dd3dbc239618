import { RpcException } from '@nestjs/microservices';
import type { ProduceBatch } from '@shoal/protocol';

/**
 * Thrown by a share-group handler to reject its record: it is archived at once (and copied to
 * the group's dead-letter topic, if one is configured), never delivered again. Like
 * `KafkaRetriableException`, it passes Nest's exception filter as itself. `produce` holds
 * records produced with the reject, in its transaction (a compensating step): they are
 * appended if and only if the reject applies. What the handler gave `ctx.produce` is dropped.
 */
export class ShoalRejectException extends RpcException {
  readonly produce: ProduceBatch[];

  constructor(message: string, options: { produce?: ProduceBatch[] } = {}) {
    super(message);
    this.name = 'ShoalRejectException';
    this.produce = options.produce ?? [];
  }

  override getError(): this {
    return this;
  }
}
