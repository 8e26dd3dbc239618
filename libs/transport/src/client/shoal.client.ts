import { randomUUID } from 'node:crypto';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { ShoalApiError, ShoalHttpClient } from '@shoal/client';
import { ErrorCode, type ProduceRecord, type ProduceResponse, type RecordPosition } from '@shoal/protocol';
import { createMissingTopics } from '../server/worker-helpers.js';
import type { ShoalClientOptions } from '../shoal-transport.options.js';
import { ShoalReplyTimeoutError } from '../errors/shoal-reply-timeout.error.js';
import { ReplyInbox } from '../reply/reply-inbox.js';
import {
  CORRELATION_ID_HEADER,
  DEFAULT_REPLY_RETENTION_MS,
  DEFAULT_REPLY_TOPIC_IDLE_MS,
  DEFAULT_REPLY_TIMEOUT_MS,
  DEFAULT_REPLY_TOPIC_PREFIX,
  REPLY_TO_HEADER,
} from '../reply/reply-protocol.js';
import { ShoalRecord } from './shoal-record.builder.js';

interface Pending {
  record: ProduceRecord;
  resolve(position: RecordPosition): void;
  reject(error: unknown): void;
}

/**
 * A NestJS `ClientProxy` that produces to Shoal: `emit(topic, data)` appends a record (a
 * {@link ShoalRecord} carries key, headers and partition) and resolves once it is durable;
 * `send(topic, data)` appends a request and emits the `@MessagePattern` handler's answers.
 *
 * Emits are stored in the order they were made, per topic (so per partition), as a Kafka
 * producer with one request in flight keeps them: each topic has at most one produce request
 * in flight, and the emits made meanwhile go together in the next one (up to
 * `maxBatchRecords`), so a busy producer pays one round trip for many records.
 *
 * A request is a record on the pattern's topic carrying a correlation id and this instance's
 * reply topic (headers {@link CORRELATION_ID_HEADER}, {@link REPLY_TO_HEADER}). The reply topic
 * (`<replyTopicPrefix>.<uuid>`, 1 partition, `retentionMs` = `replyRetentionMs`,
 * `deleteAfterIdleMs` = `replyTopicIdleMs`) is created at the first `send` and deleted by
 * `close` (or by the broker once unused, when the instance died without `close`); the instance reads it while requests wait (see
 * {@link ReplyInbox}). A request with no final answer within `replyTimeoutMs` errors with
 * {@link ShoalReplyTimeoutError}, and its late answer is dropped.
 */
export class ShoalClient extends ClientProxy {
  private readonly http: ShoalHttpClient;
  /** Per topic: the emits not sent yet, in emit order. */
  private readonly queues = new Map<string, Pending[]>();
  /** Per topic: the produce request in flight. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private connection: Promise<void> | undefined;
  /** The replies to this instance's requests. */
  private inbox: ReplyInbox;

  constructor(private readonly options: ShoalClientOptions) {
    super();
    this.http = new ShoalHttpClient({
      url: options.url,
      apiKey: options.apiKey,
      ca: options.ca,
      retry: options.retry,
    });
    this.inbox = this.newInbox();
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
    const inbox = this.inbox;
    this.inbox = this.newInbox();
    await inbox.close();
    this.connection = undefined;
    await this.http.close();
    this._status$.next('disconnected');
  }

  /** The HTTP client underneath. */
  unwrap<T>(): T {
    return this.http as T;
  }

  protected dispatchEvent<T = RecordPosition>(packet: ReadPacket): Promise<T> {
    return this.enqueue(this.normalizePattern(packet.pattern), packet.data, false) as Promise<T>;
  }

  /**
   * Queues a record for its topic's next produce. Emits wait one turn of the event loop so
   * emits made together share a request; a request (`atOnce`, its caller waiting for the answer)
   * goes at once when nothing waits or is in flight for its topic — those it would join.
   */
  private enqueue(topic: string, data: unknown, atOnce: boolean): Promise<RecordPosition> {
    const record = data instanceof ShoalRecord ? data.toProduceRecord() : new ShoalRecord(data).toProduceRecord();
    return new Promise<RecordPosition>((resolve, reject) => {
      const queue = this.queues.get(topic);
      if (queue) queue.push({ record, resolve, reject });
      else {
        this.queues.set(topic, [{ record, resolve, reject }]);
        if (this.inFlight.has(topic)) return;
        if (atOnce) this.flush(topic);
        else setImmediate(() => this.flush(topic));
      }
    });
  }

  /** Sends a request: registered first, then produced with its reply address; unsubscribing forgets it. */
  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const topic = this.normalizePattern(packet.pattern);
    const id = randomUUID();
    const inbox = this.inbox;
    const timeoutMs = this.options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    inbox.expect(id, callback, timeoutMs, () => new ShoalReplyTimeoutError(topic, timeoutMs));
    inbox
      .address()
      .then((replyTo) => this.enqueue(topic, requestRecord(packet.data, id, replyTo), true))
      // Read once the request is durable: no reply can come before, and a long poll sent
      // beside the produce only slows it (a caller that sent within the inbox's linger has its
      // read waiting already).
      .then(() => inbox.listen())
      .catch((error: unknown) => inbox.fail(id, error));
    return () => inbox.forget(id);
  }

  private newInbox(): ReplyInbox {
    return new ReplyInbox(this.http, {
      topicPrefix: this.options.replyTopicPrefix ?? DEFAULT_REPLY_TOPIC_PREFIX,
      retentionMs: this.options.replyRetentionMs ?? DEFAULT_REPLY_RETENTION_MS,
      idleDeleteMs: this.options.replyTopicIdleMs ?? DEFAULT_REPLY_TOPIC_IDLE_MS,
    });
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

/** A request's record: the data (or the given {@link ShoalRecord}) with its correlation id and reply topic. */
function requestRecord(data: unknown, id: string, replyTo: string): ShoalRecord {
  const given = data instanceof ShoalRecord ? data : new ShoalRecord(data);
  const headers = { ...given.headers, [CORRELATION_ID_HEADER]: id, [REPLY_TO_HEADER]: replyTo };
  return new ShoalRecord(given.data, given.key, headers, given.partition, given.timestamp, given.delivery);
}
