import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { ShoalApiError, ShoalHttpClient } from '@shoal/client';
import { ErrorCode, type ProduceRecord, type ProduceResponse, type RecordPosition } from '@shoal/protocol';
import { createMissingTopics } from '../server/worker-helpers.js';
import type { ShoalClientOptions } from '../shoal-transport.options.js';
import { ShoalRecord } from './shoal-record.builder.js';

interface Pending {
  record: ProduceRecord;
  resolve(position: RecordPosition): void;
  reject(error: unknown): void;
}

/**
 * A NestJS `ClientProxy` that produces to Shoal: `emit(topic, data)` appends a record (a
 * {@link ShoalRecord} carries key, headers and partition) and resolves once it is durable.
 *
 * Emits are stored in the order they were made, per topic (so per partition), as a Kafka
 * producer with one request in flight keeps them: each topic has at most one produce request
 * in flight, and the emits made meanwhile go together in the next one (up to
 * `maxBatchRecords`), so a busy producer pays one round trip for many records.
 *
 * `send` (request/reply) is not offered: it needs a reply topic per client and a consumer
 * behind it, which over HTTP long polls is more machinery than it is worth here.
 */
export class ShoalClient extends ClientProxy {
  private readonly http: ShoalHttpClient;
  /** Per topic: the emits not sent yet, in emit order. */
  private readonly queues = new Map<string, Pending[]>();
  /** Per topic: the produce request in flight. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private connection: Promise<void> | undefined;

  constructor(private readonly options: ShoalClientOptions) {
    super();
    this.http = new ShoalHttpClient({
      url: options.url,
      apiKey: options.apiKey,
      ca: options.ca,
      retry: options.retry,
    });
  }

  /** Checks the broker answers, once for every emit waiting on it; `emit` connects by itself. */
  connect(): Promise<void> {
    this.connection ??= this.http.health().then(
      () => this._status$.next('connected'),
      (error: unknown) => {
        this.connection = undefined; // the next emit tries again
        throw error;
      },
    );
    return this.connection;
  }

  /** Sends what is queued, waits for it, then reports `disconnected`. */
  async close(): Promise<void> {
    // Emits made before the first connection reach the queues only once it is made.
    if (this.connection) {
      await this.connection.catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
    }
    while (this.inFlight.size > 0 || this.queues.size > 0) {
      for (const topic of [...this.queues.keys()]) this.flush(topic);
      await Promise.allSettled([...this.inFlight.values()]);
    }
    this.connection = undefined;
    await this.http.close();
    this._status$.next('disconnected');
  }

  /** The HTTP client underneath. */
  unwrap<T>(): T {
    return this.http as T;
  }

  protected dispatchEvent<T = RecordPosition>(packet: ReadPacket): Promise<T> {
    const topic = this.normalizePattern(packet.pattern);
    const record =
      packet.data instanceof ShoalRecord
        ? packet.data.toProduceRecord()
        : new ShoalRecord(packet.data).toProduceRecord();
    return new Promise<RecordPosition>((resolve, reject) => {
      const queue = this.queues.get(topic);
      if (queue) queue.push({ record, resolve, reject });
      else {
        this.queues.set(topic, [{ record, resolve, reject }]);
        // Wait one turn of the event loop so emits made together share a request.
        if (!this.inFlight.has(topic)) setImmediate(() => this.flush(topic));
      }
    }) as Promise<T>;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: 'request/reply (send) is not supported by the Shoal transport: use emit', isDisposed: true });
    return () => undefined;
  }

  /** Sends the topic's next batch unless a request for it is in flight; the batch after follows when it ends. */
  private flush(topic: string): void {
    const queue = this.queues.get(topic);
    if (!queue || this.inFlight.has(topic)) return;
    const batch = queue.splice(0, this.options.maxBatchRecords ?? 1_000);
    if (queue.length === 0) this.queues.delete(topic);
    const sent = this.produce(
      topic,
      batch.map((p) => p.record),
    )
      .then(
        (answer) => batch.forEach((p, i) => p.resolve(answer.offsets[i])),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      )
      .finally(() => {
        this.inFlight.delete(topic);
        this.flush(topic);
      });
    this.inFlight.set(topic, sent);
  }

  /** Produces; with `autoCreateTopics`, a topic that does not exist is created and the produce sent again. */
  private async produce(topic: string, records: ProduceRecord[]): Promise<ProduceResponse> {
    try {
      return await this.http.produce(topic, records);
    } catch (error) {
      const missing = error instanceof ShoalApiError && error.code === ErrorCode.UnknownTopic;
      if (!missing || !this.options.autoCreateTopics) throw error;
      await createMissingTopics(this.http, [topic], this.options.autoCreateTopics);
      return this.http.produce(topic, records);
    }
  }
}
