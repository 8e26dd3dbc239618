import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest } from '../../src/kafka/protocol/kafka-codec.js';

/** An API's key and the versions a broker answers (from ApiVersions). */
export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

interface Pending {
  apiKey: number;
  version: number;
  resolve: (body: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/**
 * A Kafka client for tests, built on the broker's own codec: it connects, asks ApiVersions,
 * sends any request at any version and decodes the answer. Requests may overlap; answers are
 * matched by correlation id. No Node client speaks share groups yet, so the share-group tests
 * drive the broker through this.
 */
export class KafkaTestClient {
  private correlationId = 0;
  private buffered = Buffer.alloc(0);
  private readonly pending = new Map<number, Pending>();
  versions: ApiVersionRange[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.failAll(new Error('connection closed')));
    socket.on('error', (error) => this.failAll(error));
  }

  /** Connects and asks ApiVersions (v3), keeping the ranges in `versions`. */
  static async connect(port: number, host = '127.0.0.1', clientId = 'shoal-test'): Promise<KafkaTestClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, host, () => resolve(s));
      s.once('error', reject);
    });
    const client = new KafkaTestClient(socket, clientId);
    const answer = await client.send(18, 3, { clientSoftwareName: 'shoal-test', clientSoftwareVersion: '1' });
    client.versions = answer.apiKeys as ApiVersionRange[];
    return client;
  }

  /** The versions the broker answers for `apiKey`, or undefined. */
  versionsOf(apiKey: number): ApiVersionRange | undefined {
    return this.versions.find((v) => v.apiKey === apiKey);
  }

  /** Sends one request at `version` and answers the decoded response body. */
  send(apiKey: number, version: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const correlationId = ++this.correlationId;
    const frame = encodeRequest(
      { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: this.clientId },
      body,
    );
    return new Promise((resolve, reject) => {
      this.pending.set(correlationId, { apiKey, version, resolve, reject });
      this.socket.write(frame);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      const pending = this.pending.get(correlationId);
      if (!pending) continue;
      this.pending.delete(correlationId);
      try {
        pending.resolve(decodeResponse(pending.apiKey, pending.version, frame).body);
      } catch (error) {
        pending.reject(error as Error);
      }
    }
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
