import type {
  AclView,
  ApiKeyView,
  CreateAclRequest,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreateTopicRequest,
  TopicDescription,
  TopicList,
  UpdateTopicRequest,
  GroupList,
  RedriveRequest,
  RedriveResponse,
  ScheduleDescription,
  ScheduleList,
  ScheduleRequest,
  ScheduleView,
} from '@shoal/protocol';
import { HttpTransport, type RetryMode } from './http-transport.js';
import type { ShoalHttpClientOptions } from './client-options.js';

/**
 * The connection to a broker and the calls an operator or a deployment makes: topics, API keys,
 * ACLs, schedules, group listings, health, redrive — and {@link ShoalHttpAdmin.request} for any
 * route. {@link ShoalHttpClient} adds producing, reading and the group calls a worker makes.
 */
export class ShoalHttpAdmin {
  private readonly transport: HttpTransport;

  constructor(options: ShoalHttpClientOptions) {
    const retry = { retries: 3, minDelayMs: 100, maxDelayMs: 2_000, ...options.retry };
    const url = brokerUrl(options);
    this.transport = new HttpTransport(url, options.apiKey, options.timeoutMs ?? 30_000, retry, options.ca);
  }

  /** Closes the connection pool. */
  close(): Promise<void> {
    return this.transport.close();
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
    return this.request('PATCH', `/v1/topics/${encodeURIComponent(topic)}`, change, 0, undefined, 'always');
  }

  /** `DELETE /v1/topics/{topic}`. */
  async deleteTopic(topic: string): Promise<void> {
    await this.request('DELETE', `/v1/topics/${encodeURIComponent(topic)}`);
  }

  /** `POST /v1/api-keys`: a new key for a principal; the answer holds the whole key, this once. */
  createApiKey(request: CreateApiKeyRequest): Promise<CreatedApiKey> {
    return this.request('POST', '/v1/api-keys', request);
  }

  /** `GET /v1/api-keys`: every key, revoked ones included, never the keys themselves. */
  async listApiKeys(): Promise<ApiKeyView[]> {
    return (await this.request<{ apiKeys: ApiKeyView[] }>('GET', '/v1/api-keys')).apiKeys;
  }

  /** `DELETE /v1/api-keys/{id}`: revokes a key at once. */
  async revokeApiKey(id: string): Promise<void> {
    await this.request('DELETE', `/v1/api-keys/${encodeURIComponent(id)}`);
  }

  /** `POST /v1/acls`: adds an allow rule. */
  createAcl(request: CreateAclRequest): Promise<AclView> {
    return this.request('POST', '/v1/acls', request);
  }

  /** `GET /v1/acls`. */
  async listAcls(): Promise<AclView[]> {
    return (await this.request<{ acls: AclView[] }>('GET', '/v1/acls')).acls;
  }

  /** `DELETE /v1/acls/{id}`. */
  async deleteAcl(id: number): Promise<void> {
    await this.request('DELETE', `/v1/acls/${id}`);
  }

  /**
   * `POST /v1/schedules`: creates a repeating job, or replaces the one of that name (so it is
   * retried after any connection error: sending it twice leaves the same schedule).
   */
  createSchedule(request: ScheduleRequest): Promise<ScheduleView> {
    return this.request('POST', '/v1/schedules', request, 0, undefined, 'always');
  }

  /** `GET /v1/schedules`: every schedule, by name. */
  async listSchedules(): Promise<ScheduleView[]> {
    return (await this.request<ScheduleList>('GET', '/v1/schedules')).schedules;
  }

  /** `GET /v1/schedules/{name}`: the schedule and its next five ticks (`nextRuns`, `[]` while paused). */
  describeSchedule(name: string): Promise<ScheduleDescription> {
    return this.request('GET', schedulePath(name));
  }

  /** `POST /v1/schedules/{name}/pause`: no ticks until resumed. */
  pauseSchedule(name: string): Promise<ScheduleView> {
    return this.request('POST', `${schedulePath(name)}/pause`, undefined, 0, undefined, 'always');
  }

  /** `POST /v1/schedules/{name}/resume`: ticks missed while paused are skipped. */
  resumeSchedule(name: string): Promise<ScheduleView> {
    return this.request('POST', `${schedulePath(name)}/resume`, undefined, 0, undefined, 'always');
  }

  /** `DELETE /v1/schedules/{name}`. */
  async deleteSchedule(name: string): Promise<void> {
    await this.request('DELETE', schedulePath(name));
  }

  /** `GET /health`. */
  health(): Promise<{ status: string }> {
    return this.request('GET', '/health');
  }

  /** `GET /v1/consumer-groups` or `GET /v1/share-groups`: a page of groups after `after`, in name order. */
  listGroups(kind: 'consumer' | 'share', page: { after?: string; limit?: number } = {}): Promise<GroupList> {
    const query = new URLSearchParams();
    if (page.after) query.set('after', page.after);
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    const text = query.toString();
    return this.request('GET', `/v1/${kind}-groups${text ? `?${text}` : ''}`);
  }

  /** `POST /v1/topics/{topic}/redrive`: copies dead-letter records back to their source topics, once. */
  redrive(topic: string, request: RedriveRequest = {}): Promise<RedriveResponse> {
    return this.request('POST', `/v1/topics/${encodeURIComponent(topic)}/redrive`, request, 0, undefined, 'always');
  }

  /**
   * Sends one request; exposed for routes this client has no method for yet. `signal` aborts
   * it. A GET is retried after any failure without an answer, other methods only when the
   * request surely never left (unless `retry` says otherwise).
   */
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    waitMs = 0,
    signal?: AbortSignal,
    retry?: RetryMode,
  ): Promise<T> {
    return this.transport.send<T>({
      method,
      path,
      body,
      waitMs,
      signal,
      retry: retry ?? (method === 'GET' ? 'always' : 'unsent'),
    });
  }
}

let warnedBaseUrl = false;

/** `url`, else the deprecated `baseUrl` (one warning per process); neither is a TypeError. */
function brokerUrl(options: ShoalHttpClientOptions): string {
  const given = options as { url?: unknown; baseUrl?: unknown };
  if (given.url === undefined && given.baseUrl !== undefined && !warnedBaseUrl) {
    warnedBaseUrl = true;
    process.emitWarning('ShoalHttpClient option `baseUrl` is deprecated: use `url`', {
      type: 'DeprecationWarning',
      code: 'SHOAL_CLIENT_BASE_URL',
    });
  }
  const url = given.url ?? given.baseUrl;
  if (typeof url !== 'string' || url === '')
    throw new TypeError('ShoalHttpClient needs the broker URL as `url`, e.g. { url: "http://localhost:8080" }');
  return url;
}

function schedulePath(name: string): string {
  return `/v1/schedules/${encodeURIComponent(name)}`;
}
