import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiVersionsHandler, type SupportedApi } from './handlers/api-versions.handler.js';
import type { KafkaApiHandler } from './kafka-api.js';
import { schemaVersions } from './protocol/kafka-codec.js';

/** The injection token of the list of handler instances (see `kafkaProviders`). */
export const KAFKA_HANDLER_LIST = Symbol('KafkaHandlerList');

/**
 * The handlers by API key, each limited to the versions both it and the codec's schemas
 * support; ApiVersions answers from this table.
 */
@Injectable()
export class KafkaHandlerRegistry {
  private readonly logger = new Logger(KafkaHandlerRegistry.name);
  private readonly handlers = new Map<number, { handler: KafkaApiHandler; min: number; max: number }>();
  readonly apiVersions: ApiVersionsHandler;

  constructor(@Inject(KAFKA_HANDLER_LIST) handlers: KafkaApiHandler[]) {
    this.apiVersions = new ApiVersionsHandler(() => this.supported());
    for (const handler of [this.apiVersions, ...handlers]) this.add(handler);
  }

  private add(handler: KafkaApiHandler): void {
    const schema = schemaVersions(handler.apiKey);
    const min = Math.max(handler.minVersion, schema.min);
    const max = Math.min(handler.maxVersion, schema.max);
    if (min > max)
      throw new Error(
        `${handler.name}: versions ${handler.minVersion}-${handler.maxVersion} outside the schemas' ${schema.min}-${schema.max}`,
      );
    if (max < handler.maxVersion) this.logger.warn(`${handler.name}: the schemas stop at version ${max}`);
    if (this.handlers.has(handler.apiKey)) throw new Error(`two handlers for Kafka API key ${handler.apiKey}`);
    this.handlers.set(handler.apiKey, { handler, min, max });
  }

  /** The handler of an API key and the versions it answers, or undefined. */
  get(apiKey: number): { handler: KafkaApiHandler; min: number; max: number } | undefined {
    return this.handlers.get(apiKey);
  }

  supported(): SupportedApi[] {
    return [...this.handlers.entries()]
      .sort(([a], [b]) => a - b)
      .map(([apiKey, { min, max }]) => ({ apiKey, minVersion: min, maxVersion: max }));
  }
}
