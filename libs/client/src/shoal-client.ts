import type {
  CreateTopicRequest,
  OffsetForTimestampResponse,
  ProduceRecord,
  ProduceResponse,
  ReadResponse,
  TopicDescription,
  TopicList,
  UpdateTopicRequest,
} from '../../protocol/src/index.js';
import { ShoalApiError } from './shoal-api.error.js';

/** How to reach a broker. */
export interface ShoalClientOptions {
  /** The broker's base URL, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Per-request timeout in ms (a long poll adds its wait to it). Default 30,000. */
  timeoutMs?: number;
}

/** Options of a read by offset. */
export interface ReadOptions {
  offset?: number;
  maxRecords?: number;
  maxBytes?: number;
  maxWaitMs?: number;
}

/**
 * A typed client for Shoal's HTTP API, on Node's own `fetch`. Every method resolves with
 * the answer's body, or rejects with a {@link ShoalApiError} carrying the contract's code.
 */
export class ShoalClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ShoalClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** `POST /v1/topics`. */
  createTopic(request: CreateTopicRequest): Promise<TopicDescription> {
    return this.request('POST', '/v1/topics', request);
  }

  /** `GET /v1/topics`. */
  listTopics(): Promise<TopicList> {
    return this.request('GET', '/v1/topics');
  }

  /** `GET /v1/topics/{topic}`. */
  describeTopic(topic: string): Promise<TopicDescription> {
    return this.request('GET', `/v1/topics/${encodeURIComponent(topic)}`);
  }

  /** `PATCH /v1/topics/{topic}`: grow partitions or change retention. */
  updateTopic(topic: string, change: UpdateTopicRequest): Promise<TopicDescription> {
    return this.request('PATCH', `/v1/topics/${encodeURIComponent(topic)}`, change);
  }

  /** `DELETE /v1/topics/{topic}`. */
  async deleteTopic(topic: string): Promise<void> {
    await this.request('DELETE', `/v1/topics/${encodeURIComponent(topic)}`);
  }

  /** `POST /v1/topics/{topic}/records`: resolves once the records are durable. */
  produce(topic: string, records: ProduceRecord[]): Promise<ProduceResponse> {
    return this.request('POST', `/v1/topics/${encodeURIComponent(topic)}/records`, { records });
  }

  /** `GET /v1/topics/{topic}/partitions/{p}/records`. */
  read(topic: string, partition: number, options: ReadOptions = {}): Promise<ReadResponse> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(options)) if (value !== undefined) query.set(name, String(value));
    const suffix = query.size > 0 ? `?${query}` : '';
    return this.request('GET', `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/records${suffix}`, undefined, options.maxWaitMs);
  }

  /** `GET /v1/topics/{topic}/partitions/{p}/offsets?timestamp=`: the first offset at or after a time. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<OffsetForTimestampResponse> {
    return this.request('GET', `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/offsets?timestamp=${timestamp}`);
  }

  /** `GET /health`. */
  health(): Promise<{ status: string }> {
    return this.request('GET', '/health');
  }

  /** Sends one request; exposed for routes this client has no method for yet. */
  async request<T>(method: string, path: string, body?: unknown, extraWaitMs = 0): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout((this.options.timeoutMs ?? 30_000) + extraWaitMs),
    });
    const text = await response.text();
    if (!response.ok) throw ShoalApiError.from(response.status, parseOrNull(text));
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
