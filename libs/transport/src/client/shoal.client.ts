import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { ShoalHttpClient } from '@shoal/client';
import type { ProduceRecord, RecordPosition } from '@shoal/protocol';
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
 * Emits made together are sent together, one produce request per topic per turn of the event
 * loop, so a busy producer pays one round trip for many records.
 *
 * `send` (request/reply) is not offered: it needs a reply topic per client and a consumer
 * behind it, which over HTTP long polls is more machinery than it is worth here.
 */
export class ShoalClient extends ClientProxy {
  private readonly http: ShoalHttpClient;
  private readonly queues = new Map<string, Pending[]>();
  private readonly inFlight = new Set<Promise<void>>();
  private connected = false;

  constructor(private readonly options: ShoalClientOptions) {
    super();
    this.http = new ShoalHttpClient({ baseUrl: options.url, apiKey: options.apiKey });
  }

  /** Checks the broker answers; `emit` connects by itself when needed. */
  async connect(): Promise<void> {
    if (this.connected) return;
    await this.http.health();
    this.connected = true;
    this._status$.next('connected');
  }

  /** Sends what is queued, then reports `disconnected`. */
  async close(): Promise<void> {
    while (this.inFlight.size > 0 || this.queues.size > 0) {
      for (const topic of [...this.queues.keys()]) this.flush(topic);
      await Promise.allSettled([...this.inFlight]);
    }
    this.connected = false;
    this._status$.next('disconnected');
  }

  /** The HTTP client underneath. */
  unwrap<T>(): T {
    return this.http as T;
  }

  protected dispatchEvent<T = RecordPosition>(packet: ReadPacket): Promise<T> {
    const topic = this.normalizePattern(packet.pattern);
    const record = packet.data instanceof ShoalRecord ? packet.data.toProduceRecord() : new ShoalRecord(packet.data).toProduceRecord();
    return new Promise<RecordPosition>((resolve, reject) => {
      const queue = this.queues.get(topic);
      if (queue) queue.push({ record, resolve, reject });
      else {
        this.queues.set(topic, [{ record, resolve, reject }]);
        setImmediate(() => this.flush(topic));
      }
    }) as Promise<T>;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: 'request/reply (send) is not supported by the Shoal transport: use emit', isDisposed: true });
    return () => undefined;
  }

  private flush(topic: string): void {
    const queue = this.queues.get(topic);
    if (!queue) return;
    this.queues.delete(topic);
    const max = this.options.maxBatchRecords ?? 1_000;
    for (let at = 0; at < queue.length; at += max) {
      const batch = queue.slice(at, at + max);
      const sent = this.http.produce(topic, batch.map((p) => p.record)).then(
        (answer) => batch.forEach((p, i) => p.resolve(answer.offsets[i])),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      );
      this.inFlight.add(sent);
      void sent.finally(() => this.inFlight.delete(sent));
    }
  }
}
