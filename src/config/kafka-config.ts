/** The Kafka-protocol listener's settings (`SHOAL_KAFKA_*`). */
export interface KafkaConfig {
  port: number;
  /** Interface to listen on; by default the HTTP one. */
  host: string;
  /** What Metadata and FindCoordinator tell clients to connect to. */
  advertisedHost: string;
  advertisedPort: number;
  /** Open connections beyond this are closed at once (logged). */
  maxConnections: number;
  /** A frame (request) larger than this closes its connection (logged). */
  maxFrameBytes: number;
}

interface KafkaEnvironment {
  SHOAL_KAFKA_PORT?: number;
  SHOAL_KAFKA_HOST?: string;
  SHOAL_KAFKA_ADVERTISED_HOST?: string;
  SHOAL_KAFKA_ADVERTISED_PORT?: number;
  SHOAL_KAFKA_MAX_CONNECTIONS: number;
  SHOAL_KAFKA_MAX_FRAME_BYTES: number;
}

const WILDCARD = /^(0\.0\.0\.0|::|)$/;

export function kafkaConfig(env: KafkaEnvironment, httpHost: string): KafkaConfig | undefined {
  if (env.SHOAL_KAFKA_PORT === undefined) return undefined;
  const host = env.SHOAL_KAFKA_HOST ?? httpHost;
  const advertisedHost = env.SHOAL_KAFKA_ADVERTISED_HOST ?? (WILDCARD.test(host) ? 'localhost' : host);
  const advertisedPort = env.SHOAL_KAFKA_ADVERTISED_PORT ?? env.SHOAL_KAFKA_PORT;
  return {
    port: env.SHOAL_KAFKA_PORT,
    host,
    advertisedHost,
    advertisedPort,
    maxConnections: env.SHOAL_KAFKA_MAX_CONNECTIONS,
    maxFrameBytes: env.SHOAL_KAFKA_MAX_FRAME_BYTES,
  };
}

/** A stable non-negative 31-bit id from the advertised address (FNV-1a). */
export function kafkaNodeId(host: string, port: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${host}:${port}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 0x7fffffff;
}
