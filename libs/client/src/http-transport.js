import { Pool } from 'undici';
import { ShoalApiError } from './shoal-api.error.js';
import { ShoalConnectionError } from './shoal-connection.error.js';
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
    constructor(url, apiKey, timeoutMs, retry, ca) {
        this.apiKey = apiKey;
        this.timeoutMs = timeoutMs;
        this.retry = retry;
        this.ca = ca;
        const parsed = new URL(url);
        this.origin = parsed.origin;
        this.prefix = parsed.pathname.replace(/\/+$/, '');
    }
    async send(call) {
        const body = call.body === undefined ? undefined : JSON.stringify(call.body);
        for (let attempt = 1;; attempt++) {
            try {
                return await this.once(call, body);
            }
            catch (error) {
                if (!this.retriable(call, error) || attempt > this.retry.retries)
                    throw this.wrap(call, error, attempt, body === undefined ? 0 : Buffer.byteLength(body));
                await sleep(this.delay(attempt, error), call.signal);
            }
        }
    }
    /** Closes the pool's connections once what is under way has ended; a later request opens a new pool. */
    async close() {
        const pool = this.current;
        this.current = undefined;
        await pool?.close();
    }
    get pool() {
        // No cap on connections: a worker's long poll must never make its acknowledgements wait.
        // `ca`: trust a broker's own (e.g. self-signed) certificate over https.
        this.current ??= new Pool(this.origin, {
            connections: null,
            pipelining: 1,
            ...(this.ca ? { connect: { ca: this.ca } } : {}),
        });
        return this.current;
    }
    async once(call, body) {
        const headers = {};
        if (body !== undefined)
            headers['content-type'] = 'application/json';
        if (this.apiKey)
            headers.authorization = `Bearer ${this.apiKey}`;
        const timeout = this.timeoutMs + (call.waitMs ?? 0);
        const response = await this.pool.request({
            method: call.method,
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
        return (text.length > 0 ? JSON.parse(text) : undefined);
    }
    retriable(call, error) {
        if (call.signal?.aborted)
            return false;
        if (error instanceof ShoalApiError)
            return error.status === 503 && (call.retry === 'always' || error.retryAfterMs !== undefined);
        return call.retry === 'always' || !maybeSent(error);
    }
    wrap(call, error, attempts, bodyBytes) {
        if (error instanceof ShoalApiError || call.signal?.aborted)
            return error;
        return new ShoalConnectionError(this.origin + this.prefix, `${call.method} ${call.path}`, maybeSent(error), attempts, error, bodyBytes >= LARGE_BODY_BYTES && BROKEN_CODES.has(errorCode(error) ?? '')
            ? `the connection broke while sending a ${bodyBytes}-byte body: the broker may have refused it as too ` +
                'large (413 REQUEST_TOO_LARGE, over its SHOAL_MAX_REQUEST_BYTES) and cut the upload off'
            : undefined);
    }
    delay(attempt, error) {
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
function errorCode(error) {
    return error?.code ?? error?.cause?.code;
}
/** Whether a failed request may have reached the broker. */
function maybeSent(error) {
    const code = errorCode(error);
    return !(code && UNSENT_CODES.has(code));
}
function sleep(ms, signal) {
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
function parseOrNull(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return null;
    }
}
//# sourceMappingURL=http-transport.js.map