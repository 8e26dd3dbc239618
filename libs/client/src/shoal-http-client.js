import { HttpTransport } from './http-transport.js';
/**
 * A typed client for Shoal's HTTP API over a keep-alive connection pool. Every method
 * resolves with the answer's body, or rejects with a {@link ShoalApiError} carrying the
 * contract's code, or a {@link ShoalConnectionError} carrying the URL, route and cause when no
 * answer came. Call {@link close} when done.
 */
export class ShoalHttpClient {
    constructor(options) {
        const retry = { retries: 3, minDelayMs: 100, maxDelayMs: 2_000, ...options.retry };
        const url = brokerUrl(options);
        this.transport = new HttpTransport(url, options.apiKey, options.timeoutMs ?? 30_000, retry, options.ca);
    }
    /** Closes the connection pool. */
    close() {
        return this.transport.close();
    }
    /** `POST /v1/topics`. */
    createTopic(request) {
        return this.request('POST', '/v1/topics', request);
    }
    /** `GET /v1/topics`. */
    listTopics() {
        return this.request('GET', '/v1/topics');
    }
    /** `GET /v1/topics/{topic}`. */
    describeTopic(topic) {
        return this.request('GET', `/v1/topics/${encodeURIComponent(topic)}`);
    }
    /** `PATCH /v1/topics/{topic}`: grow partitions or change retention. */
    updateTopic(topic, change) {
        return this.request('PATCH', `/v1/topics/${encodeURIComponent(topic)}`, change, 0, undefined, 'always');
    }
    /** `DELETE /v1/topics/{topic}`. */
    async deleteTopic(topic) {
        await this.request('DELETE', `/v1/topics/${encodeURIComponent(topic)}`);
    }
    /**
     * `POST /v1/topics/{topic}/records`: resolves once the records are durable (or scheduled). When
     * every record carries an `idempotencyKey` the request is retried after any connection error,
     * since the broker appends a key once; otherwise only when it surely never left.
     */
    produce(topic, records) {
        const idempotent = records.length > 0 && records.every((r) => typeof r.idempotencyKey === 'string');
        return this.request('POST', `/v1/topics/${encodeURIComponent(topic)}/records`, { records }, 0, undefined, idempotent ? 'always' : 'unsent');
    }
    /** `GET /v1/topics/{topic}/partitions/{p}/records`; `signal` aborts a long poll. */
    read(topic, partition, options = {}, signal) {
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(options))
            if (value !== undefined)
                query.set(name, String(value));
        const suffix = query.size > 0 ? `?${query}` : '';
        return this.request('GET', `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/records${suffix}`, undefined, options.maxWaitMs, signal);
    }
    /** `GET /v1/topics/{topic}/partitions/{p}/offsets?timestamp=`: the first offset at or after a time. */
    offsetForTimestamp(topic, partition, timestamp) {
        return this.request('GET', `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/offsets?timestamp=${timestamp}`);
    }
    /** `POST /v1/consumer-groups/{group}/members`: joins (creating the group if needed). */
    joinConsumerGroup(group, request) {
        return this.request('POST', `${consumerGroupPath(group)}/members`, request);
    }
    /** `POST …/members/{memberId}/heartbeat`: keeps the session and answers the current assignment. */
    consumerHeartbeat(group, memberId) {
        return this.request('POST', `${consumerGroupPath(group)}/members/${encodeURIComponent(memberId)}/heartbeat`, {}, 0, undefined, 'always');
    }
    /** `DELETE …/members/{memberId}`: leaves the group; its partitions go to the others. */
    async leaveConsumerGroup(group, memberId) {
        await this.request('DELETE', `${consumerGroupPath(group)}/members/${encodeURIComponent(memberId)}`);
    }
    /** `POST …/members/{memberId}/fetch`: records of the member's partitions from its position. */
    consumerFetch(group, memberId, request = {}, signal) {
        return this.request('POST', `${consumerGroupPath(group)}/members/${encodeURIComponent(memberId)}/fetch`, request, request.maxWaitMs, signal, 'always');
    }
    /** `POST /v1/consumer-groups/{group}/offsets`: rejects with 409 FENCED for a stale generation or partition. */
    async commitOffsets(group, memberId, generation, offsets) {
        await this.request('POST', `${consumerGroupPath(group)}/offsets`, { memberId, generation, offsets }, 0, undefined, 'always');
    }
    /**
     * `POST /v1/consumer-groups/{group}/offsets` with records to produce in the same transaction
     * (consume-transform-produce): both commit or neither; a stale generation (409 FENCED)
     * produces nothing. Answers where each batch landed. Never retried once sent: a retry after
     * a lost answer could produce twice (the commit is idempotent, the appends are not).
     */
    async commitOffsetsProducing(group, memberId, generation, offsets, produce) {
        const answer = await this.request('POST', `${consumerGroupPath(group)}/offsets`, { memberId, generation, offsets, produce }, 0, undefined, 'unsent');
        return answer.produced ?? [];
    }
    /** `GET /v1/consumer-groups/{group}`. */
    describeConsumerGroup(group) {
        return this.request('GET', consumerGroupPath(group));
    }
    /** `POST /v1/consumer-groups/{group}/offsets/reset`: only while the group has no members. */
    async resetConsumerGroupOffsets(group, request) {
        await this.request('POST', `${consumerGroupPath(group)}/offsets/reset`, request);
    }
    /** `DELETE /v1/consumer-groups/{group}`: only while the group has no members. */
    async deleteConsumerGroup(group) {
        await this.request('DELETE', consumerGroupPath(group));
    }
    /** `POST /v1/share-groups/{group}/members`: joins (creating the group if needed). */
    joinShareGroup(group, request) {
        return this.request('POST', `${shareGroupPath(group)}/members`, request);
    }
    /** `POST …/members/{memberId}/heartbeat`. */
    shareHeartbeat(group, memberId) {
        return this.request('POST', `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/heartbeat`, {}, 0, undefined, 'always');
    }
    /** `DELETE …/members/{memberId}`: leaves; what the member held is released at once. */
    async leaveShareGroup(group, memberId) {
        await this.request('DELETE', `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}`);
    }
    /** `POST …/members/{memberId}/fetch`: acquires records, after applying the piggy-backed `acks`. */
    shareFetch(group, memberId, request = {}, signal) {
        return this.request('POST', `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/fetch`, request, request.maxWaitMs, signal, 'always');
    }
    /** `POST …/members/{memberId}/acks`: per-entry results, `INVALID_RECORD_STATE` where the member does not hold the record. */
    /**
     * `POST …/acks` whose acks (or the request itself) carry records to produce in the same
     * transaction (exactly-once job chaining): an entry's `produce` is appended if and only if
     * that entry applies; the request's `produce` only if every ack applies (else nothing of the
     * request is applied: TRANSACTION_ABORTED on the entries that would have). Retried after a
     * lost answer like any ack: an ack applies once, so a retry cannot produce twice (it answers
     * INVALID_RECORD_STATE where the first one applied).
     */
    acknowledgeProducing(group, memberId, request) {
        return this.request('POST', `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/acks`, request, 0, undefined, 'always');
    }
    async acknowledge(group, memberId, acks) {
        const answer = await this.request('POST', `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/acks`, { acks }, 0, undefined, 'always');
        return answer.results;
    }
    /**
     * `POST …/members/{memberId}/progress`: stores a job's progress (any JSON, at most 4 KiB) with
     * a record the member holds and renews its lock; 409 `INVALID_RECORD_STATE` when it does not
     * hold it. The job lookup (`shareJob`) shows it as `progress`.
     */
    reportProgress(group, memberId, job) {
        return this.request('POST', `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/progress`, job, 0, undefined, 'always');
    }
    /** `GET /v1/share-groups/{group}`. */
    describeShareGroup(group) {
        return this.request('GET', shareGroupPath(group));
    }
    /** `PATCH /v1/share-groups/{group}/config`: answers the whole config; creates the group if needed. */
    updateShareGroupConfig(group, change) {
        return this.request('PATCH', `${shareGroupPath(group)}/config`, change, 0, undefined, 'always');
    }
    /** `POST /v1/share-groups/{group}/offsets/reset`: only while the group has no members. */
    async resetShareGroupOffsets(group, request) {
        await this.request('POST', `${shareGroupPath(group)}/offsets/reset`, request);
    }
    /** `DELETE /v1/share-groups/{group}`: only while the group has no members. */
    async deleteShareGroup(group) {
        await this.request('DELETE', shareGroupPath(group));
    }
    /** `POST /v1/api-keys`: a new key for a principal; the answer holds the whole key, this once. */
    createApiKey(request) {
        return this.request('POST', '/v1/api-keys', request);
    }
    /** `GET /v1/api-keys`: every key, revoked ones included, never the keys themselves. */
    async listApiKeys() {
        return (await this.request('GET', '/v1/api-keys')).apiKeys;
    }
    /** `DELETE /v1/api-keys/{id}`: revokes a key at once. */
    async revokeApiKey(id) {
        await this.request('DELETE', `/v1/api-keys/${encodeURIComponent(id)}`);
    }
    /** `POST /v1/acls`: adds an allow rule. */
    createAcl(request) {
        return this.request('POST', '/v1/acls', request);
    }
    /** `GET /v1/acls`. */
    async listAcls() {
        return (await this.request('GET', '/v1/acls')).acls;
    }
    /** `DELETE /v1/acls/{id}`. */
    async deleteAcl(id) {
        await this.request('DELETE', `/v1/acls/${id}`);
    }
    /**
     * `POST /v1/schedules`: creates a repeating job, or replaces the one of that name (so it is
     * retried after any connection error: sending it twice leaves the same schedule).
     */
    createSchedule(request) {
        return this.request('POST', '/v1/schedules', request, 0, undefined, 'always');
    }
    /** `GET /v1/schedules`: every schedule, by name. */
    async listSchedules() {
        return (await this.request('GET', '/v1/schedules')).schedules;
    }
    /** `GET /v1/schedules/{name}`: the schedule and its next five ticks (`nextRuns`, `[]` while paused). */
    describeSchedule(name) {
        return this.request('GET', schedulePath(name));
    }
    /** `POST /v1/schedules/{name}/pause`: no ticks until resumed. */
    pauseSchedule(name) {
        return this.request('POST', `${schedulePath(name)}/pause`, undefined, 0, undefined, 'always');
    }
    /** `POST /v1/schedules/{name}/resume`: ticks missed while paused are skipped. */
    resumeSchedule(name) {
        return this.request('POST', `${schedulePath(name)}/resume`, undefined, 0, undefined, 'always');
    }
    /** `DELETE /v1/schedules/{name}`. */
    async deleteSchedule(name) {
        await this.request('DELETE', schedulePath(name));
    }
    /** `GET /health`. */
    health() {
        return this.request('GET', '/health');
    }
    /** `GET /v1/consumer-groups` or `GET /v1/share-groups`: a page of groups after `after`, in name order. */
    listGroups(kind, page = {}) {
        const query = new URLSearchParams();
        if (page.after)
            query.set('after', page.after);
        if (page.limit !== undefined)
            query.set('limit', String(page.limit));
        const text = query.toString();
        return this.request('GET', `/v1/${kind}-groups${text ? `?${text}` : ''}`);
    }
    /** `GET /v1/share-groups/{group}/topics/{topic}/partitions/{p}/in-flight`. */
    shareInFlight(group, topic, partition, options = {}) {
        const query = new URLSearchParams();
        if (options.offset !== undefined)
            query.set('offset', String(options.offset));
        if (options.maxRecords !== undefined)
            query.set('maxRecords', String(options.maxRecords));
        const path = `${shareGroupPath(group)}/topics/${encodeURIComponent(topic)}/partitions/${partition}/in-flight`;
        return this.request('GET', `${path}?${query.toString()}`);
    }
    /** `GET /v1/share-groups/{group}/topics/{topic}/partitions/{p}/records/{offset}`: one job's state in the group. */
    shareJob(group, topic, partition, offset) {
        return this.request('GET', jobPath(group, topic, { partition, offset }));
    }
    /** `GET /v1/share-groups/{group}/topics/{topic}/idempotency-keys/{key}`: the job produced with `key`, in the group. */
    shareJobByIdempotencyKey(group, topic, key) {
        return this.request('GET', jobPath(group, topic, { idempotencyKey: key }));
    }
    /**
     * Waits until a job of the group is acknowledged, archived (rejected or dead-lettered at its
     * delivery limit) or finished, and answers it — BullMQ's `waitUntilFinished` — with long polls
     * of the job routes (`?waitMs`, at most 60 s each), no polling in a loop. After `timeoutMs`
     * (default: no limit) it answers the job as it is then.
     */
    async waitForJob(group, topic, job, options = {}) {
        const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
        for (;;) {
            const waitMs = Math.round(Math.max(0, Math.min(60_000, deadline - Date.now())));
            const view = await this.request('GET', `${jobPath(group, topic, job)}?waitMs=${waitMs}`, undefined, waitMs, options.signal);
            if (['acknowledged', 'archived', 'finished'].includes(view.state) || Date.now() >= deadline)
                return view;
        }
    }
    /** `POST /v1/topics/{topic}/redrive`: copies dead-letter records back to their source topics, once. */
    redrive(topic, request = {}) {
        return this.request('POST', `/v1/topics/${encodeURIComponent(topic)}/redrive`, request, 0, undefined, 'always');
    }
    /**
     * Sends one request; exposed for routes this client has no method for yet. `signal` aborts
     * it. A GET is retried after any failure without an answer, other methods only when the
     * request surely never left (unless `retry` says otherwise).
     */
    request(method, path, body, waitMs = 0, signal, retry) {
        return this.transport.send({
            method,
            path,
            body,
            waitMs,
            signal,
            retry: retry ?? (method === 'GET' ? 'always' : 'unsent'),
        });
    }
}
function consumerGroupPath(group) {
    return `/v1/consumer-groups/${encodeURIComponent(group)}`;
}
function shareGroupPath(group) {
    return `/v1/share-groups/${encodeURIComponent(group)}`;
}
function jobPath(group, topic, job) {
    const base = `${shareGroupPath(group)}/topics/${encodeURIComponent(topic)}`;
    return 'idempotencyKey' in job
        ? `${base}/idempotency-keys/${encodeURIComponent(job.idempotencyKey)}`
        : `${base}/partitions/${job.partition}/records/${job.offset}`;
}
let warnedBaseUrl = false;
/** `url`, else the deprecated `baseUrl` (one warning per process); neither is a TypeError. */
function brokerUrl(options) {
    const given = options;
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
function schedulePath(name) {
    return `/v1/schedules/${encodeURIComponent(name)}`;
}
//# sourceMappingURL=shoal-http-client.js.map