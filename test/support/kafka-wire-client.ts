import { connect, type Socket } from 'node:net';
import { FrameReader } from '../../src/kafka/protocol/frame-reader.js';
import { decodeResponse, encodeRequest } from '../../src/kafka/protocol/kafka-codec.js';

/**
 * A minimal Kafka client over the project's own codec: one connection, requests answered in
 * order (matched by correlation id). For tests of APIs no Node client speaks, and of framing.
 */
export class KafkaWireClient {
  private correlationId = 0;
  private readonly frames = new FrameReader(256 * 1024 * 1024);
  private readonly pending = new Map<
    number,
    {
      apiKey: number;
      version: number;
      resolve: (body: Record<string, unknown>) => void;
      reject: (error: Error) => void;
    }
  >();
  private closedError: Error | undefined;

  private constructor(
    readonly socket: Socket,
    private readonly clientId: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.frames.push(chunk)) this.onFrame(frame);
    });
    socket.on('close', () => this.fail(new Error('connection closed')));
    socket.on('error', (error) => this.fail(error));
  }

  static async connect(port: number, host = '127.0.0.1', clientId = 'wire-test'): Promise<KafkaWireClient> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new KafkaWireClient(socket, clientId);
  }

  /** Sends one request and resolves with the response body, decoded at `decodeVersion` (the request's by default). */
  request(
    apiKey: number,
    version: number,
    body: Record<string, unknown>,
    decodeVersion = version,
  ): Promise<Record<string, unknown>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = ++this.correlationId;
    const frame = encodeRequest(
      { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.clientId },
      body,
    );
    return new Promise((resolve, reject) => {
      this.pending.set(correlationId, { apiKey, version: decodeVersion, resolve, reject });
      this.socket.write(frame);
    });
  }

  /** Sends a request whose answer never comes (Produce with acks 0). */
  send(apiKey: number, version: number, body: Record<string, unknown>): void {
    const correlationId = ++this.correlationId;
    this.socket.write(
      encodeRequest(
        { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.clientId },
        body,
      ),
    );
  }

  /** Resolves when the broker closes the connection. */
  closed(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const waiting = this.pending.get(correlationId);
    if (!waiting) return;
    this.pending.delete(correlationId);
    try {
      waiting.resolve(decodeResponse(waiting.apiKey, waiting.version, frame).body);
    } catch (error) {
      waiting.reject(error as Error);
    }
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
