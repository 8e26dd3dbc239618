import type { Type } from '@nestjs/common';
import type { KafkaApiHandler } from '../kafka-api.js';

/**
 * Every Kafka API handler (a NestJS provider implementing `KafkaApiHandler`), one line each.
 * ApiVersions is built from this list by `KafkaHandlerRegistry` and needs no line.
 */
export const KAFKA_HANDLERS: Type<KafkaApiHandler>[] = [];
