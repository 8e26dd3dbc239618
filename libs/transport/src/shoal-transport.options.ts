import type { RetryOptions } from '@shoal/client';
import type { ShareGroupConfigView } from '@shoal/protocol';

/** How a {@link ShoalServer} reaches the broker and consumes. */
export interface ShoalServerOptions {
  /** The broker's base URL, e.g. `http://localhost:8080`. */
  url: string;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** PEM certificate(s) to trust for an `https://` broker (its CA, or its self-signed certificate). */
  ca?: string | Buffer;
  /** `share`: a job-queue worker in a share group. `consumer`: a pub/sub subscriber in a consumer group. */
  mode: 'share' | 'consumer';
  /** The group to join. */
  group: string;
  /** Handlers running at once (share mode). Default 10. */
  concurrency?: number;
  /**
   * Most records per fetch. In share mode the next batch is fetched once every fetched record
   * has started, while the handlers run; while answers come back full and the handlers are
   * idle, two fetches are under way. A worker holds at most `max(concurrency + batchSize,
   * 2 × batchSize)` records (their locks renewed). Default `max(100, 4 × concurrency)`, at most 1,000.
   */
  batchSize?: number;
  /** How long a fetch waits for records. Default 1,000 ms. */
  maxWaitMs?: number;
  /** Renew the lock of a record whose handler is still running (share mode). Default true. */
  autoRenewLocks?: boolean;
  /** Release delay after an unexpected error: `retryDelayMs × 2^(delivery − 1)`, at most `maxRetryDelayMs`. Default 1,000. */
  retryDelayMs?: number;
  /** Default 60,000. */
  maxRetryDelayMs?: number;
  /** On close, how long running handlers may finish before their records are released. Default 10,000 ms. */
  shutdownGraceMs?: number;
  /** Session timeout asked for at join. Default the broker's (45 s). */
  sessionTimeoutMs?: number;
  /** Consumer mode: where a partition with no committed offset starts. Default "latest". */
  autoOffsetReset?: 'latest' | 'earliest';
  /**
   * Share mode: the group's settings, applied at start (lock duration, delivery limit,
   * dead-letter topic, …). A group that does not exist yet starts at `autoOffsetReset:
   * 'earliest'` unless this says otherwise, so jobs queued before the first worker are run.
   */
  groupConfig?: Partial<ShareGroupConfigView>;
  /**
   * Share mode: the order in which fetches fill from this worker's topics (highest first; the
   * group's `topicPriority`, applied at start). Lower ones keep `lowerPriorityShare` of each fetch.
   */
  topicPriority?: string[];
  /** Share mode, with `topicPriority`: the share of each fetch kept for lower topics (0–0.9; the broker's default 0.1). */
  lowerPriorityShare?: number;
  /**
   * Share mode: the most records per second the whole group is handed, over all its workers
   * (the group's `maxRecordsPerSecond`, applied at start). Fetches wait at the broker for the
   * next token, so a limited worker does not spin.
   */
  maxRecordsPerSecond?: number;
  /** Retries of broker requests that failed without an answer. */
  retry?: RetryOptions;
}

/** How a {@link ShoalClient} reaches the broker. */
export interface ShoalClientOptions {
  /** The broker's base URL. */
  url: string;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** PEM certificate(s) to trust for an `https://` broker (its CA, or its self-signed certificate). */
  ca?: string | Buffer;
  /** Most records one produce request carries when emits are batched. Default 1,000. */
  maxBatchRecords?: number;
  /**
   * Retries of produce requests that surely never reached the broker (connection refused); a
   * request whose records all carry an idempotency key is retried after any connection error.
   */
  retry?: RetryOptions;
}

/** The statuses a Shoal server or client reports on its `status` observable. */
export type ShoalStatus = 'connected' | 'disconnected' | 'rebalancing';
