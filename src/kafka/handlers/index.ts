import type { Type } from '@nestjs/common';
import type { KafkaApiHandler } from '../kafka-api.js';
import { ShareAcknowledgeHandler } from './share-acknowledge.handler.js';
import { ShareFetchHandler } from './share-fetch.handler.js';
import { ShareGroupDescribeHandler } from './share-group-describe.handler.js';
import { ShareGroupHeartbeatHandler } from './share-group-heartbeat.handler.js';

/**
 * Every Kafka API handler (a NestJS provider implementing `KafkaApiHandler`), one line each.
 * ApiVersions is built from this list by `KafkaHandlerRegistry` and needs no line.
 */
export const KAFKA_HANDLERS: Type<KafkaApiHandler>[] = [
  ShareGroupHeartbeatHandler,
  ShareGroupDescribeHandler,
  ShareFetchHandler,
  ShareAcknowledgeHandler,
];
