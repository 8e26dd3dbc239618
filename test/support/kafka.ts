import type { Consumer } from 'kafkajs';
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

/** Runs a subscribed KafkaJS consumer until it has seen `count` records; their values as text, in arrival order. */
export async function consumeValues(consumer: Consumer, count: number): Promise<string[]> {
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === count) resolve();
        },
      })
      .catch(reject);
  });
  return seen;
}
