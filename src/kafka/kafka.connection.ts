import type { Logger } from '@nestjs/common';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ShoalMetrics } from '../metrics/shoal-metrics.js';
import type { KafkaRequestContext } from './kafka-api.js';
import type { KafkaHandlerRegistry } from './kafka-handler.registry.js';
import type { KafkaSessions } from './kafka-sessions.js';
import { FrameReader } from './protocol/frame-reader.js';
import { decodeRequest, encodeResponse, peekRequestHeader } from './protocol/kafka-codec.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const PRODUCE = 0;
const UNSUPPORTED_VERSION = 35;
/** Frames read ahead of the one being served before the socket is paused. */
const MAX_QUEUED = 64;
/** A connection with no traffic this long is closed (Kafka's `connections.max.idle.ms` default). */
const IDLE_MS = 10 * 60_000;

export interface ConnectionServices {
  registry: KafkaHandlerRegistry;
  sessions: KafkaSessions;
  logger: Logger;
  maxFrameBytes: number;
  nodeId: number;
  advertisedHost: string;
  advertisedPort: number;
  /** Whether a principal is needed (auth on); asked until the connection authenticates. */
  authRequired(): Promise<boolean>;
  /** Where answered requests and closed connections are counted (`ShoalMetrics`). */
  metrics: Pick<ShoalMetrics, 'kafkaRequest' | 'kafkaConnectionClosed'>;
}

/**
 * One client connection. Requests are served one at a time, in order (as Kafka's broker does:
 * answers leave in the order requests came). A frame that cannot be read, an unknown API, an
 * unsupported version (but ApiVersions') or a request before SASL authentication when keys are
 * required closes the connection with a log line; nothing a client sends can stop the process.
 */
export class KafkaConnection {
  private readonly frames: FrameReader;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private draining = false;

  constructor(
    private readonly socket: Socket,
    readonly id: string,
    private readonly services: ConnectionServices,
  ) {
    this.frames = new FrameReader(services.maxFrameBytes);
    services.sessions.open(id);
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_MS, () => {
      if (this.queued === 0) this.abort(`idle for ${IDLE_MS / 60_000} minutes`, 'idle');
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => services.logger.debug(`connection ${id}: ${error.message}`));
    socket.on('close', () => {
      this.closed = true;
      services.sessions.close(id);
    });
  }

  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Requests read and not yet answered. */
  get pending(): number {
    return this.queued;
  }

  /** Shutdown: reads no more requests, answers those already read, then closes. */
  async drain(): Promise<void> {
    this.draining = true;
    this.socket.pause();
    await this.queue;
    this.close();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.frames.push(chunk);
    } catch (error) {
      return this.abort((error as Error).message);
    }
    for (const frame of frames) {
      this.queued++;
      if (this.queued > MAX_QUEUED) this.socket.pause();
      this.queue = this.queue
        .then(() => this.serve(frame))
        .finally(() => {
          this.queued--;
          if (this.queued <= MAX_QUEUED && !this.closed && !this.draining) this.socket.resume();
        });
    }
  }

  private abort(reason: string, kind: 'protocol' | 'idle' = 'protocol'): void {
    if (this.closed) return;
    this.services.metrics.kafkaConnectionClosed(kind);
    this.services.logger.warn(`closing Kafka connection ${this.id} from ${this.remote}: ${reason}`);
    this.close();
  }

  private async serve(frame: Buffer): Promise<void> {
    if (this.closed) return;
    try {
      await this.dispatch(frame);
    } catch (error) {
      this.abort(`${(error as Error).name}: ${(error as Error).message}`);
      this.services.logger.debug((error as Error).stack);
    }
  }

  private async dispatch(frame: Buffer): Promise<void> {
    const started = performance.now();
    const peek = peekRequestHeader(frame);
    const { requestApiKey: apiKey, requestApiVersion: version, correlationId } = peek;
    const entry = this.services.registry.get(apiKey);
    if (!entry) return this.abort(`unsupported API key ${apiKey}`);
    if (version < entry.min || version > entry.max) {
      if (apiKey !== API_VERSIONS) return this.abort(`unsupported version ${version} of API key ${apiKey}`);
      const body = this.services.registry.apiVersions.answer(UNSUPPORTED_VERSION);
      return this.send(encodeResponse(API_VERSIONS, 0, correlationId, body));
    }
    const request = decodeRequest(frame);
    if (!(await this.mayCall(apiKey))) return this.abort(`API key ${apiKey} before SASL authentication`);
    const response = await entry.handler.handle(request.body, version, this.context(request.header.clientId));
    const answered = () => this.services.metrics.kafkaRequest(entry.name, (performance.now() - started) / 1000);
    if (apiKey === PRODUCE && request.body['acks'] === 0) return answered();
    await this.send(encodeResponse(apiKey, version, correlationId, response));
    answered();
    if (apiKey === SASL_AUTHENTICATE && response['errorCode'] !== 0) this.abort('SASL authentication failed');
  }

  private async mayCall(apiKey: number): Promise<boolean> {
    if (apiKey === API_VERSIONS || apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE) return true;
    if (this.services.sessions.get(this.id)?.principal) return true;
    return !(await this.services.authRequired());
  }

  private context(clientId: string | null): KafkaRequestContext {
    return {
      clientId,
      principal: this.services.sessions.get(this.id)?.principal?.name ?? null,
      nodeId: this.services.nodeId,
      advertisedHost: this.services.advertisedHost,
      advertisedPort: this.services.advertisedPort,
      connectionId: this.id,
    };
  }

  private send(bytes: Buffer): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.socket.write(bytes)) return resolve();
      const done = () => {
        this.socket.off('close', done);
        this.socket.off('drain', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }
}
