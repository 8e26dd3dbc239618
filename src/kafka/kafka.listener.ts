import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { kafkaNodeId } from '../config/kafka-config.js';
import { listenDecision } from '../config/listen-policy.js';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { ChangeSignal } from '../platform/change-signal.js';
import { ShoalMetrics } from '../metrics/shoal-metrics.js';
import { ApiKeyService } from '../security/api-key.service.js';
import { KafkaConnection } from './kafka.connection.js';
import { KafkaHandlerRegistry } from './kafka-handler.registry.js';
import { KafkaSessions } from './kafka-sessions.js';

/** This broker's identity towards Kafka clients, known once the listener is bound. */
export interface KafkaBrokerIdentity {
  nodeId: number;
  host: string;
  port: number;
}

/**
 * The Kafka-protocol front door: a TCP listener on `SHOAL_KAFKA_PORT` (off when unset), TLS with
 * the broker's certificate when HTTPS is on, that serves each connection with `KafkaConnection`.
 * Connections beyond `SHOAL_KAFKA_MAX_CONNECTIONS` are closed at once; on shutdown the listener
 * stops accepting and closes every connection.
 */
@Injectable()
export class KafkaListener implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaListener.name);
  private server: Server | undefined;
  private readonly connections = new Set<KafkaConnection>();
  private nextId = 1;
  private bound: KafkaBrokerIdentity | undefined;

  constructor(
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
    private readonly registry: KafkaHandlerRegistry,
    private readonly sessions: KafkaSessions,
    private readonly keys: ApiKeyService,
    private readonly signal: ChangeSignal,
    private readonly metrics: ShoalMetrics,
  ) {}

  /** Where the listener is bound and what it advertises; undefined while it is off. */
  get identity(): KafkaBrokerIdentity | undefined {
    return this.bound;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Requests read and not yet answered, on all connections. */
  get requestsInFlight(): number {
    return [...this.connections].reduce((n, c) => n + c.pending, 0);
  }

  async onApplicationBootstrap(): Promise<void> {
    const kafka = this.config.kafka;
    if (!kafka) return;
    const decision = listenDecision(
      { ...this.config, host: kafka.host, port: kafka.port },
      await this.keys.authEnabled(),
    );
    if (decision.refuse) throw new Error(decision.refuse.replace('HOST=', 'SHOAL_KAFKA_HOST='));
    // With the broker's certificate (SHOAL_TLS_CERT / SHOAL_TLS_KEY) Kafka clients speak TLS too
    // (Kafka's SSL, or SASL_SSL with API keys): no plaintext way around HTTPS.
    const { tlsCert, tlsKey } = this.config.security ?? {};
    const tls = tlsCert && tlsKey ? { cert: readFileSync(tlsCert), key: readFileSync(tlsKey) } : undefined;
    const server: Server = tls
      ? createTlsServer(tls, (socket) => this.accept(socket))
      : createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(kafka.port, kafka.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const advertisedPort = kafka.advertisedPort === 0 ? port : kafka.advertisedPort;
    this.bound = {
      nodeId: kafkaNodeId(kafka.advertisedHost, advertisedPort),
      host: kafka.advertisedHost,
      port: advertisedPort,
    };
    this.logger.log(
      `Kafka listener on ${kafka.host}:${port}${tls ? ' (TLS)' : ''}, advertised as ${kafka.advertisedHost}:${advertisedPort} (node ${this.bound.nodeId})`,
    );
  }

  /** The port actually bound (differs from the configured one when that is 0). */
  get port(): number | undefined {
    return this.server ? (this.server.address() as AddressInfo | null)?.port : undefined;
  }

  private accept(socket: Socket): void {
    const kafka = this.config.kafka!;
    if (this.connections.size >= kafka.maxConnections) {
      this.logger.warn(
        `refusing Kafka connection from ${socket.remoteAddress}: ${kafka.maxConnections} connections open`,
      );
      this.metrics.kafkaConnectionClosed('limit');
      socket.destroy();
      return;
    }
    const connection = new KafkaConnection(socket, `k${this.nextId++}`, {
      registry: this.registry,
      sessions: this.sessions,
      logger: this.logger,
      maxFrameBytes: kafka.maxFrameBytes,
      nodeId: this.bound!.nodeId,
      advertisedHost: this.bound!.host,
      advertisedPort: this.bound!.port,
      authRequired: () => this.keys.authEnabled(),
      metrics: this.metrics,
    });
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
  }

  /**
   * Graceful shutdown, with the HTTP side's `LongPollCloser`: no new connections, no new
   * requests; the requests already read are answered (a waiting Fetch answers at once, as the
   * change signal closes), within half the grace period; then every connection closes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.close();
    // Whichever shutdown hook runs first, waiting fetches answer now (closing twice is harmless).
    this.signal.close();
    const graceMs = (this.config.shutdownGraceMs ?? 10_000) / 2;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all([...this.connections].map((c) => c.drain())), late]);
    clearTimeout(timer);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const connection of this.connections) connection.close();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
