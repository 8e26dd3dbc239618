import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type ReadPacket, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { ShoalHttpClient } from '@shoal/client';
import type { WireRecord } from '@shoal/protocol';
import { ShoalContext } from '../ctx-host/shoal.context.js';
import type { ShoalServerOptions, ShoalStatus } from '../shoal-transport.options.js';
import { ConsumerSubscriber } from './consumer-subscriber.js';
import { ShareWorker } from './share-worker.js';

/** The transport id of Shoal handlers. */
export const SHOAL_TRANSPORT = Symbol('SHOAL_TRANSPORT');

/**
 * A NestJS microservice transport for Shoal. Each handler's pattern is a topic
 * (`@EventPattern('emails')`). In `share` mode the server is a job-queue worker in a share
 * group; in `consumer` mode a pub/sub subscriber in a consumer group.
 *
 * ```ts
 * const app = await NestFactory.createMicroservice(AppModule, {
 *   strategy: new ShoalServer({ url: 'http://localhost:8080', mode: 'share', group: 'mailers' }),
 * });
 * await app.listen();
 * ```
 */
export class ShoalServer extends Server<Record<string, never>, ShoalStatus> implements CustomTransportStrategy {
  override transportId = SHOAL_TRANSPORT;
  // handleEvent awaits the handler, so its failure becomes a release or a retry.
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(ShoalServer.name);
  private readonly http: ShoalHttpClient;
  private runner: ShareWorker | ConsumerSubscriber | undefined;

  constructor(private readonly options: ShoalServerOptions) {
    super();
    this.http = new ShoalHttpClient({
      url: options.url,
      apiKey: options.apiKey,
      ca: options.ca,
      retry: options.retry,
    });
  }

  /** Joins the group with every handled topic and starts consuming. */
  listen(callback: (error?: unknown) => void): void {
    const topics = [...this.messageHandlers.keys()];
    const dispatch = (record: WireRecord, context: ShoalContext) =>
      this.handleEvent(record.topic, { pattern: record.topic, data: recordData(record) }, context);
    const setStatus = (status: ShoalStatus) => this._status$.next(status);
    this.runner =
      this.options.mode === 'share'
        ? new ShareWorker(this.http, this.options, dispatch, this.logger as Logger, setStatus)
        : new ConsumerSubscriber(this.http, this.options, dispatch, this.logger as Logger, setStatus);
    this.runner.begin(topics).then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Graceful shutdown: stop fetching, let handlers finish within the grace period, release the rest, leave. */
  async close(): Promise<void> {
    await this.runner?.stop();
    await this.http.close();
  }

  /** The HTTP client the server talks to the broker with. */
  unwrap<T>(): T {
    return this.http as T;
  }

  on(): never {
    throw new Error('ShoalServer has no events: subscribe to `status` instead');
  }

  /**
   * Runs the handler and waits for its outcome (the base class only logs a failure), so the
   * worker can accept, release or reject the record.
   */
  override async handleEvent(pattern: string, packet: ReadPacket, context: ShoalContext): Promise<void> {
    // Patterns are topic names: look them up directly (getHandlerByPattern first tries to
    // parse each pattern as JSON, and a thrown parse error per record is measurable).
    const handler = this.messageHandlers.get(pattern) ?? this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no handler for topic ${pattern}`);
    const result = await handler(packet.data, context);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}

/** A handler's data: the JSON value, the bytes of a raw record, or null for a tombstone. */
function recordData(record: WireRecord): unknown {
  if (record.tombstone === true) return null;
  return record.valueBase64 !== undefined ? Buffer.from(record.valueBase64, 'base64') : record.value;
}
