import { Pool } from 'undici';
import { ShoalApiError } from './shoal-api.error.js';
import { ShoalConnectionError } from './shoal-connection.error.js';

/**
 * When a request that failed without an answer is sent again:
 * - `unsent`: only when it surely never reached the broker (connection refused, host not
 *   found, connect timeout), or the broker answered 503 with `Retry-After` (it applied nothing:
 *   its database is unreachable) — for requests that must not apply twice, like a produce;
 * - `always`: also after a reset, a timeout or any 503 — for requests whose repetition is
 *   harmless (reads, fetches, acknowledgements, renewals, idempotent updates).
 * A `Retry-After` is waited for before the next attempt (at least; the backoff may be longer).
 */
export type RetryMode = 'unsent' | 'always';

/** Exponential backoff with jitter for requests that failed without an answer. */
export interface RetryOptions {
  /** Attempts after the first. Default 3; 0 disables retrying. */
  retries?: number;
  /** The first delay; it doubles per attempt, each delay jittered to 50–100 %. Default 100 ms. */
  minDelayMs?: number;
  /** Largest delay. Default 2,000 ms. */
  maxDelayMs?: number;
}

/** One request as the client sends it. */
export interface HttpCall {
  method: string;
  path: string;
  body?: unknown;
  /** A long poll's wait, added to the timeout. */
  waitMs?: number;
  signal?: AbortSignal;
  retry: RetryMode;
}

const UNSENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Requests to one broker over a keep-alive connection pool (undici), with retries for
 * failures that left no answer. An error answer from the broker is never retried here except
 * 503 (see {@link RetryMode}): it is thrown as a {@link ShoalApiError}.
 */
export class HttpTransport {
  private current: Pool | undefined;
  private readonly prefix: string;
  private readonly origin: string;

  constructor(
    url: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs: number,
    private readonly retry: Required<RetryOptions>,
    private readonly ca?: string | Buffer,
  ) {
    const parsed = new URL(url);
    this.origin = parsed.origin;
    this.prefix = parsed.pathname.replace(/\/+$/, '');
  }

  async send<T>(call: HttpCall): Promise<T> {
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(call, body);
      } catch (error) {
        if (!this.retriable(call, error) || attempt > this.retry.retries)
          throw this.wrap(call, error, attempt, body === undefined ? 0 : Buffer.byteLength(body));
        await sleep(this.delay(attempt, error), call.signal);
      }
    }
  }

  /** Closes the pool's connections once what is under way has ended; a later request opens a new pool. */
  async close(): Promise<void> {
    const pool = this.current;
    this.current = undefined;
    await pool?.close();
  }

  private get pool(): Pool {
    // No cap on connections: a worker's long poll must never make its acknowledgements wait.
    // `ca`: trust a broker's own (e.g. self-signed) certificate over https.
    this.current ??= new Pool(this.origin, {
      connections: null,
      pipelining: 1,
      ...(this.ca ? { connect: { ca: this.ca } } : {}),
    });
    return this.current;
  }

  private async once<T>(call: HttpCall, body: string | undefined): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const timeout = this.timeoutMs + (call.waitMs ?? 0);
    const response = await this.pool.request({
      method: call.method as 'GET',
      path: this.prefix + call.path,
      headers,
      body,
      signal: call.signal,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400)
      throw ShoalApiError.from(response.statusCode, parseOrNull(text), response.headers['retry-after']);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  private retriable(call: HttpCall, error: unknown): boolean {
    if (call.signal?.aborted) return false;
    if (error instanceof ShoalApiError)
      return error.status === 503 && (call.retry === 'always' || error.retryAfterMs !== undefined);
    return call.retry === 'always' || !maybeSent(error);
  }

  private wrap(call: HttpCall, error: unknown, attempts: number, bodyBytes: number): unknown {
    if (error instanceof ShoalApiError || call.signal?.aborted) return error;
    return new ShoalConnectionError(
      this.origin + this.prefix,
      `${call.method} ${call.path}`,
      maybeSent(error),
      attempts,
      error,
      bodyBytes >= LARGE_BODY_BYTES && BROKEN_CODES.has(errorCode(error) ?? '')
        ? `the connection broke while sending a ${bodyBytes}-byte body: the broker may have refused it as too ` +
            'large (413 REQUEST_TOO_LARGE, over its SHOAL_MAX_REQUEST_BYTES) and cut the upload off'
        : undefined,
    );
  }

  private delay(attempt: number, error: unknown): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.minDelayMs * 2 ** (attempt - 1));
    const backoff = ceiling * (0.5 + Math.random() / 2);
    const asked = error instanceof ShoalApiError ? (error.retryAfterMs ?? 0) : 0;
    return Math.max(backoff, Math.min(asked, MAX_RETRY_AFTER_MS));
  }
}

/** A `Retry-After` longer than this is not waited for in full (the caller's retries decide). */
const MAX_RETRY_AFTER_MS = 60_000;

/** Connection errors of a broker that stopped reading: a body it refused may be why. */
const BROKEN_CODES = new Set(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']);

/** From this size, a broken upload gets a hint about the broker's request size limit. */
const LARGE_BODY_BYTES = 1024 * 1024;

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code ?? (error as { cause?: { code?: string } } | null)?.cause?.code;
}

/** Whether a failed request may have reached the broker. */
function maybeSent(error: unknown): boolean {
  const code = errorCode(error);
  return !(code && UNSENT_CODES.has(code));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
