import type { RetryOptions } from './http-transport.js';

/** How to reach a broker: `url`, as in `ShoalServer`, `ShoalClient` and `ShoalModule.forRoot` (@shoal/transport). */
export type ShoalHttpClientOptions = ShoalHttpClientSettings &
  (
    | {
        /** The broker's base URL, e.g. `http://localhost:8080`. */
        url: string;
      }
    | {
        /**
         * The old name of `url`, working identically.
         * @deprecated Use `url`; `baseUrl` will be removed in the next release.
         */
        baseUrl: string;
      }
  );

/** The options of a {@link ShoalHttpClient} besides the broker's URL. */
export interface ShoalHttpClientSettings {
  /** An API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** PEM certificate(s) to trust for an `https://` broker (its CA, or its self-signed certificate). */
  ca?: string | Buffer;
  /** Per-request timeout in ms (a long poll adds its wait to it). Default 30,000. */
  timeoutMs?: number;
  /**
   * Retries of requests that failed without an answer (exponential backoff with jitter).
   * Reads, fetches, acknowledgements and renewals are retried after any such failure; a
   * produce, a join or a topic creation only when the request surely never left.
   */
  retry?: RetryOptions;
}

/** Options of a read by offset. */
export interface ReadOptions {
  offset?: number;
  maxRecords?: number;
  maxBytes?: number;
  maxWaitMs?: number;
}
