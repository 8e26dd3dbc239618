import { ShoalApiError, type ShoalHttpClient } from '@shoal/client';
import { ErrorCode, type WireRecord } from '@shoal/protocol';
import { randomUUID } from 'node:crypto';
import { Backoff, sleep } from '../server/worker-helpers.js';
import { CORRELATION_ID_HEADER, REPLY_SEQ_HEADER, type ReplyPacket } from './reply-protocol.js';

/** How long one read of the reply topic waits for replies. */
const POLL_WAIT_MS = 5_000;
/**
 * How long the inbox goes on reading after its last request: a caller that sends again within
 * it finds its read already waiting at the broker, as a Kafka client's fetch loop is, instead
 * of sending one beside its request's way to the worker. Those reads wait no longer than the
 * linger's end, so a process that never closes its client still exits within this of its last
 * request.
 */
const LINGER_MS = 1_000;
/** The most replies one read brings. */
const POLL_RECORDS = 1_000;

/** Where a {@link ReplyInbox} keeps its replies. */
export interface ReplyInboxSettings {
  /** The reply topic's name is `<prefix>.<random UUID>`. */
  topicPrefix: string;
  /** The reply topic's `retentionMs`: replies older than this are deleted, read or not. */
  retentionMs: number;
  /**
   * The reply topic's `deleteAfterIdleMs`: the broker deletes it once unread this long (this
   * instance died without `close`); while the instance lives it reads at least every quarter of it.
   */
  idleDeleteMs: number;
}

interface Waiter {
  callback(packet: ReplyPacket): void;
  /** The next reply place expected: a repeated one (a request handled twice) is dropped. */
  nextSeq: number;
  timer?: NodeJS.Timeout;
}

/**
 * One client instance's replies: its own reply topic, created at the first request and deleted
 * by {@link close}, read from its start with plain long-poll reads (no group: nobody else reads
 * it) while requests wait and for a while after the last one. Each reply is handed to the request of its correlation id, once per
 * place; replies of requests that timed out or were unsubscribed are dropped.
 */
export class ReplyInbox {
  private topic: Promise<string> | undefined;
  private readonly pending = new Map<string, Waiter>();
  private next = 0;
  /** When the last request was registered (`performance.now()`). */
  private lastRequestAt = -Infinity;
  private polling: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private closed = false;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(
    private readonly http: ShoalHttpClient,
    private readonly settings: ReplyInboxSettings,
  ) {}

  /** The reply topic, created once (again after a failed creation). */
  address(): Promise<string> {
    this.topic ??= this.create().catch((error: unknown) => {
      this.topic = undefined;
      throw error;
    });
    return this.topic;
  }

  /** Registers a request before it is sent: its replies go to `callback`; `timeoutMs` > 0 bounds the wait. */
  expect(id: string, callback: Waiter['callback'], timeoutMs: number, onTimeout: () => unknown): void {
    const waiter: Waiter = { callback, nextSeq: 0 };
    this.lastRequestAt = performance.now();
    if (timeoutMs > 0)
      waiter.timer = setTimeout(() => this.settle(id, { err: onTimeout(), isDisposed: true }), timeoutMs);
    this.pending.set(id, waiter);
  }

  /**
   * Reads the reply topic while requests wait (the request's record is sent: its replies may
   * come), and goes on reading for {@link LINGER_MS} after the last request.
   */
  listen(): void {
    if (this.closed || this.polling) return;
    this.polling = this.poll().finally(() => {
      this.polling = undefined;
      if (this.wanted()) this.listen();
    });
  }

  /** Whether to read on: requests wait, or the last one came less than {@link LINGER_MS} ago. */
  private wanted(): boolean {
    return this.pending.size > 0 || performance.now() - this.lastRequestAt < LINGER_MS;
  }

  /** How long the next read may wait: {@link POLL_WAIT_MS} while requests wait, else to the linger's end. */
  private maxWaitMs(): number {
    if (this.pending.size > 0) return POLL_WAIT_MS;
    return Math.max(1, Math.min(POLL_WAIT_MS, Math.ceil(this.lastRequestAt + LINGER_MS - performance.now())));
  }

  /** Drops a request: its replies, if any come, are ignored. */
  forget(id: string): void {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.pending.delete(id);
  }

  /** Ends a request with an error (its record could not be sent). */
  fail(id: string, error: unknown): void {
    this.settle(id, { err: error, isDisposed: true });
  }

  /** Stops reading, errors every waiting request, deletes the reply topic. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.keepAlive);
    this.abort.abort();
    await this.polling;
    for (const id of [...this.pending.keys()]) this.fail(id, new Error('ShoalClient closed before the reply came'));
    const topic = await this.topic?.catch(() => undefined);
    if (topic) await this.http.deleteTopic(topic).catch(() => undefined);
  }

  private async create(): Promise<string> {
    const name = `${this.settings.topicPrefix}.${randomUUID()}`;
    const { retentionMs, idleDeleteMs } = this.settings;
    await this.http.createTopic({ name, partitions: 1, config: { retentionMs, deleteAfterIdleMs: idleDeleteMs } });
    clearInterval(this.keepAlive);
    this.keepAlive = setInterval(() => void this.touch(name), Math.max(250, Math.floor(idleDeleteMs / 4)));
    this.keepAlive.unref();
    return name;
  }

  /** A read that keeps the reply topic in use while no request waits (a waiting one reads anyway). */
  private async touch(topic: string): Promise<void> {
    if (this.closed || this.polling) return;
    try {
      const answer = await this.http.read(topic, 0, { offset: this.next, maxWaitMs: 0, maxRecords: POLL_RECORDS });
      if (this.polling) return; // a request's read began meanwhile: it reads these too
      this.next = answer.nextOffset;
      for (const record of answer.records) this.deliver(record);
    } catch {
      // The next touch, or the next request's read, tries again (and recovers a deleted topic).
    }
  }

  private async poll(): Promise<void> {
    const topic = await this.topic!;
    const retry = new Backoff(100, 5_000);
    while (!this.closed && this.wanted()) {
      try {
        const answer = await this.http.read(
          topic,
          0,
          { offset: this.next, maxWaitMs: this.maxWaitMs(), maxRecords: POLL_RECORDS },
          this.abort.signal,
        );
        retry.reset();
        this.next = answer.nextOffset;
        for (const record of answer.records) this.deliver(record);
      } catch (error) {
        if (this.closed) return;
        if (error instanceof ShoalApiError && error.code === ErrorCode.OffsetOutOfRange) {
          // Replies deleted by retention before they were read: go on from the oldest left.
          this.next = (await this.http.describeTopic(topic).catch(() => undefined))?.partitions[0]?.startOffset ?? 0;
          continue;
        }
        if (error instanceof ShoalApiError && error.code === ErrorCode.UnknownTopic) {
          // Deleted under us: the waiting requests lose their replies; the next one makes a new topic.
          this.topic = undefined;
          this.next = 0;
          for (const id of [...this.pending.keys()]) this.fail(id, error);
          return;
        }
        await sleep(retry.next());
      }
    }
  }

  private deliver(record: WireRecord): void {
    const id = record.headers[CORRELATION_ID_HEADER];
    const waiter = id === undefined ? undefined : this.pending.get(id);
    const seq = Number(record.headers[REPLY_SEQ_HEADER] ?? 0);
    if (!waiter || seq < waiter.nextSeq) return; // late (timed out, unsubscribed) or repeated
    waiter.nextSeq = seq + 1;
    const packet = (record.value ?? {}) as ReplyPacket;
    if (packet.err !== undefined || packet.isDisposed) this.forget(id!);
    waiter.callback(packet);
  }

  private settle(id: string, packet: ReplyPacket): void {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.forget(id);
    waiter.callback(packet);
  }
}
