import type { RetryOptions } from '@shoal/client';
import type { ShareGroupConfigView } from '@shoal/protocol';

/** How a {@link ShoalServer} reaches the broker. */
export interface ShoalConnectionOptions {
  /** The broker's base URL, e.g. `http://localhost:8080`. */
  url: string;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** PEM certificate(s) to trust for an `https://` broker (its CA, or its self-signed certificate). */
  ca?: string | Buffer;
  /** Retries of broker requests that failed without an answer. */
  retry?: RetryOptions;
}

/** `autoCreateTopics`: create missing topics at start, with this many partitions. */
export interface AutoCreateTopicsOptions {
  /** Partitions of each topic created. Default 1. */
  partitions?: number;
}

/**
 * How one worker (one group) runs: the settings a {@link ShoalServer} gives its own group and
 * each `@ShoalProcessor` may give its group instead.
 */
export interface ShoalWorkerSettings {
  /** `share`: a job-queue worker in a share group. `consumer`: a pub/sub subscriber in a consumer group. Default `share`. */
  mode?: 'share' | 'consumer';
  /** Handlers running at once (share mode). Default 10. */
  concurrency?: number;
  /**
   * Share mode, for throughput: fetch batches of this many records ahead of the handlers (at
   * most 1,000). The next batch is fetched once every fetched record has started, while the
   * handlers run; while answers come back full and the handlers are idle, two fetches are under
   * way. A worker holds at most `max(concurrency + prefetch, 2 × prefetch)` records (their locks
   * renewed), which other workers of the group cannot take, and records still waiting at
   * shutdown are released as never delivered (their delivery count goes back down). Without it (the default) a worker fetches
   * only as many records as it has free handlers, each fetch as a handler frees up (riding on
   * its acknowledgement), so slow jobs spread over every worker of the group and no record is
   * fetched that cannot start at once; only jobs shorter than a fetch's round trip are fetched
   * ahead, as many as the handlers would start before the next answer (at most 16 × concurrency). Set it (e.g. `4 × concurrency`) for many short jobs.
   */
  prefetch?: number;
  /** Share mode: the former name of {@link prefetch}; consumer mode: most records per fetch (default 100). */
  batchSize?: number;
  /** How long a fetch waits for records. Default 1,000 ms. */
  maxWaitMs?: number;
  /** Renew the lock of a record whose handler is still running (share mode). Default true. */
  autoRenewLocks?: boolean;
  /**
   * Release delay after an unexpected error: `retryDelayMs × 2^(delivery − 1)`, at most
   * `maxRetryDelayMs`. Default 1,000. Every release delay (these, `ShoalRetriableException`'s and
   * `context.release(delayMs)`'s) is cut to the broker's most, 86,400,000 ms (24 h).
   */
  retryDelayMs?: number;
  /** Default 60,000. */
  maxRetryDelayMs?: number;
  /**
   * Share mode: how many times a failing handler runs a record at most. When a handler fails
   * on the record's `attempts`-th delivery (the delivery count the broker hands with it), the
   * record is rejected (dead-lettered, with the error as reason) instead of released: `1` runs
   * a job once. A handler's own `@EventPattern(topic, { attempts })` overrides it. Default: no
   * limit but the group's `deliveryCountLimit`.
   */
  attempts?: number;
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
  /**
   * Create the worker's topics (and its group's `groupConfig.deadLetterTopic`) at start if they
   * do not exist: `true` with 1 partition each, or `{ partitions }`. Default false (a missing
   * topic fails the start with `UNKNOWN_TOPIC`).
   */
  autoCreateTopics?: boolean | AutoCreateTopicsOptions;
}

/** How a {@link ShoalServer} reaches the broker and consumes. */
export interface ShoalServerOptions extends ShoalConnectionOptions, ShoalWorkerSettings {
  /**
   * The group of every handler not in a `@ShoalProcessor` class. May be left out when every
   * handler is in one.
   */
  group?: string;
}

/** `@ShoalProcessor(options)`: the worker of one controller class's handlers. */
export interface ShoalProcessorOptions extends ShoalWorkerSettings {
  /** The group the class's handlers run in; classes naming the same group share one worker. */
  group: string;
}

/** One handler's own options: `@EventPattern(topic, { attempts: 1 })`. */
export interface ShoalHandlerOptions {
  /** As {@link ShoalWorkerSettings.attempts}, for this handler's topic. */
  attempts?: number;
}

/** The settings one worker runs with: its group, mode and the rest. */
export interface ShoalWorkerOptions extends ShoalWorkerSettings {
  group: string;
  mode: 'share' | 'consumer';
}

/** How a {@link ShoalClient} reaches the broker. */
export interface ShoalClientOptions {
  /** The broker's base URL. */
  url: string;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** PEM certificate(s) to trust for an `https://` broker (its CA, or its self-signed certificate). */
  ca?: string | Buffer;
  /**
   * An emit to a topic that does not exist creates it (`true`: 1 partition, or `{ partitions }`)
   * and is sent again; `ShoalServer.fromModule` hands it to the workers too. Default false.
   */
  autoCreateTopics?: boolean | AutoCreateTopicsOptions;
  /** Most records one produce request carries when emits are batched. Default 1,000. */
  maxBatchRecords?: number;
  /**
   * Retries of produce requests that surely never reached the broker (connection refused); a
   * request whose records all carry an idempotency key is retried after any connection error.
   */
  retry?: RetryOptions;
  /**
   * `send`: how long a request waits for its final answer before its observable errors with
   * `ShoalReplyTimeoutError` (a later answer is dropped); 0 waits for ever. Default 30,000 ms.
   */
  replyTimeoutMs?: number;
  /**
   * `send`: the retention of this instance's reply topic, so replies never read (the client
   * died) are deleted. Default 60,000 ms.
   */
  replyRetentionMs?: number;
  /**
   * `send`: the reply topic's `deleteAfterIdleMs`, so the topic of an instance that died without
   * `close` (SIGKILL, a crash) is deleted by the broker once unused this long; a live instance
   * reads it at least every quarter of this. Default 600,000 ms (at least 1,000).
   */
  replyTopicIdleMs?: number;
  /** `send`: reply topics are named `<replyTopicPrefix>.<uuid>`. Default `shoal.replies`. */
  replyTopicPrefix?: string;
}

/** The statuses a Shoal server or client reports on its `status` observable. */
export type ShoalStatus = 'connected' | 'disconnected' | 'rebalancing';
