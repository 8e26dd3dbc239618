import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiVersionsHandler, type SupportedApi } from './handlers/api-versions.handler.js';
import { kafkaApiOf, type KafkaApiHandler } from './kafka-api.js';
import { schemaVersions } from './protocol/kafka-codec.js';

/** The injection token of the list of handler instances (see `kafkaProviders`). */
export const KAFKA_HANDLER_LIST = Symbol('KafkaHandlerList');

/** A handler with Kafka's name of its API and the versions it answers. */
export interface RegisteredApi {
  handler: KafkaApiHandler;
  name: string;
  min: number;
  max: number;
}

/**
 * The handlers by API key, each limited to the versions both it and the codec's schemas
 * support; ApiVersions answers from this table.
 */
@Injectable()
export class KafkaHandlerRegistry {
  private readonly logger = new Logger(KafkaHandlerRegistry.name);
  private readonly handlers = new Map<number, RegisteredApi>();
  readonly apiVersions: ApiVersionsHandler;

  constructor(@Inject(KAFKA_HANDLER_LIST) handlers: KafkaApiHandler[]) {
    this.apiVersions = new ApiVersionsHandler(() => this.supported());
    for (const handler of [this.apiVersions, ...handlers]) this.add(handler);
  }

  private add(handler: KafkaApiHandler): void {
    const { apiKey, name, minVersion, maxVersion } = kafkaApiOf(handler);
    const schema = schemaVersions(apiKey);
    const min = Math.max(minVersion, schema.min);
    const max = Math.min(maxVersion, schema.max);
    if (min > max)
      throw new Error(`${name}: versions ${minVersion}-${maxVersion} outside the schemas' ${schema.min}-${schema.max}`);
    if (max < maxVersion) this.logger.warn(`${name}: the schemas stop at version ${max}`);
    if (this.handlers.has(apiKey)) throw new Error(`two handlers for Kafka API key ${apiKey}`);
    this.handlers.set(apiKey, { handler, name, min, max });
  }

  /** The handler of an API key and the versions it answers, or undefined. */
  get(apiKey: number): RegisteredApi | undefined {
    return this.handlers.get(apiKey);
  }

  supported(): SupportedApi[] {
    return [...this.handlers.entries()]
      .sort(([a], [b]) => a - b)
      .map(([apiKey, { min, max }]) => ({ apiKey, minVersion: min, maxVersion: max }));
  }
}
