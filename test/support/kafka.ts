import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { KafkaConfig } from '../../src/config/kafka-config.js';
import { KafkaListener } from '../../src/kafka/kafka.listener.js';

/** A Kafka listener on a random loopback port. */
export function kafkaTestConfig(overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    advertisedHost: '127.0.0.1',
    advertisedPort: 0,
    maxConnections: 100,
    maxFrameBytes: 100 * 1024 * 1024,
    ...overrides,
  };
}

/** The port the app's Kafka listener is bound to. */
export function kafkaPortOf(app: NestFastifyApplication): number {
  const port = app.get(KafkaListener).port;
  if (port === undefined) throw new Error('the Kafka listener is off');
  return port;
}
