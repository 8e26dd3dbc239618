import type {
  Acknowledgement,
  AcknowledgeRequest,
  AcknowledgeResponse,
  AckResult,
  CommitOffsetsResponse,
  ProduceBatch,
  ProducingAcknowledgement,
  RecordPosition,
  JoinShareGroupRequest,
  JoinShareGroupResponse,
  ShareFetchRequest,
  ShareFetchResponse,
  ShareGroupConfigView,
  ShareGroupDescription,
  TopicPartition,
  ConsumerFetchRequest,
  ConsumerFetchResponse,
  ConsumerGroupDescription,
  ConsumerHeartbeatResponse,
  JoinConsumerGroupRequest,
  JoinConsumerGroupResponse,
  OffsetCommit,
  ResetOffsetsRequest,
  OffsetForTimestampResponse,
  ProduceRecord,
  ProduceResponse,
  ReadResponse,
  InFlightRecordList,
  JobView,
  JobProgressResponse,
} from '@shoal/protocol';
import type { ReadOptions } from './client-options.js';
import { ShoalHttpAdmin } from './shoal-http-admin.js';

/**
 * A typed client for Shoal's HTTP API over a keep-alive connection pool. Every method
 * resolves with the answer's body, or rejects with a {@link ShoalApiError} carrying the
 * contract's code, or a {@link ShoalConnectionError} carrying the URL, route and cause when no
 * answer came. Call {@link close} when done.
 */
export class ShoalHttpClient extends ShoalHttpAdmin {
  /**
   * `POST /v1/topics/{topic}/records`: resolves once the records are durable (or scheduled). When
   * every record carries an `idempotencyKey` the request is retried after any connection error,
   * since the broker appends a key once; otherwise only when it surely never left.
   */
  produce(topic: string, records: ProduceRecord[]): Promise<ProduceResponse> {
    const idempotent = records.length > 0 && records.every((r) => typeof r.idempotencyKey === 'string');
    return this.request(
      'POST',
      `/v1/topics/${encodeURIComponent(topic)}/records`,
      { records },
      0,
      undefined,
      idempotent ? 'always' : 'unsent',
    );
  }

  /** `GET /v1/topics/{topic}/partitions/{p}/records`; `signal` aborts a long poll. */
  read(topic: string, partition: number, options: ReadOptions = {}, signal?: AbortSignal): Promise<ReadResponse> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(options)) if (value !== undefined) query.set(name, String(value));
    const suffix = query.size > 0 ? `?${query}` : '';
    return this.request(
      'GET',
      `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/records${suffix}`,
      undefined,
      options.maxWaitMs,
      signal,
    );
  }

  /** `GET /v1/topics/{topic}/partitions/{p}/offsets?timestamp=`: the first offset at or after a time. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<OffsetForTimestampResponse> {
    return this.request(
      'GET',
      `/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/offsets?timestamp=${timestamp}`,
    );
  }

  /** `POST /v1/consumer-groups/{group}/members`: joins (creating the group if needed). */
  joinConsumerGroup(group: string, request: JoinConsumerGroupRequest): Promise<JoinConsumerGroupResponse> {
    return this.request('POST', `${consumerGroupPath(group)}/members`, request);
  }

  /** `POST …/members/{memberId}/heartbeat`: keeps the session and answers the current assignment. */
  consumerHeartbeat(group: string, memberId: string): Promise<ConsumerHeartbeatResponse> {
    return this.request(
      'POST',
      `${consumerGroupPath(group)}/members/${encodeURIComponent(memberId)}/heartbeat`,
      {},
      0,
      undefined,
      'always',
    );
  }

  /** `DELETE …/members/{memberId}`: leaves the group; its partitions go to the others. */
  async leaveConsumerGroup(group: string, memberId: string): Promise<void> {
    await this.request('DELETE', `${consumerGroupPath(group)}/members/${encodeURIComponent(memberId)}`);
  }

  /** `POST …/members/{memberId}/fetch`: records of the member's partitions from its position. */
  consumerFetch(
    group: string,
    memberId: string,
    request: ConsumerFetchRequest = {},
    signal?: AbortSignal,
  ): Promise<ConsumerFetchResponse> {
    return this.request(
      'POST',
      `${consumerGroupPath(group)}/members/${encodeURIComponent(memberId)}/fetch`,
      request,
      request.maxWaitMs,
      signal,
      'always',
    );
  }

  /** `POST /v1/consumer-groups/{group}/offsets`: rejects with 409 FENCED for a stale generation or partition. */
  async commitOffsets(group: string, memberId: string, generation: number, offsets: OffsetCommit[]): Promise<void> {
    await this.request(
      'POST',
      `${consumerGroupPath(group)}/offsets`,
      { memberId, generation, offsets },
      0,
      undefined,
      'always',
    );
  }

  /**
   * `POST /v1/consumer-groups/{group}/offsets` with records to produce in the same transaction
   * (consume-transform-produce): both commit or neither; a stale generation (409 FENCED)
   * produces nothing. Answers where each batch landed. Never retried once sent: a retry after
   * a lost answer could produce twice (the commit is idempotent, the appends are not).
   */
  async commitOffsetsProducing(
    group: string,
    memberId: string,
    generation: number,
    offsets: OffsetCommit[],
    produce: ProduceBatch[],
  ): Promise<RecordPosition[][]> {
    const answer = await this.request<CommitOffsetsResponse>(
      'POST',
      `${consumerGroupPath(group)}/offsets`,
      { memberId, generation, offsets, produce },
      0,
      undefined,
      'unsent',
    );
    return answer.produced ?? [];
  }

  /** `GET /v1/consumer-groups/{group}`. */
  describeConsumerGroup(group: string): Promise<ConsumerGroupDescription> {
    return this.request('GET', consumerGroupPath(group));
  }

  /** `POST /v1/consumer-groups/{group}/offsets/reset`: only while the group has no members. */
  async resetConsumerGroupOffsets(group: string, request: ResetOffsetsRequest): Promise<void> {
    await this.request('POST', `${consumerGroupPath(group)}/offsets/reset`, request);
  }

  /** `DELETE /v1/consumer-groups/{group}`: only while the group has no members. */
  async deleteConsumerGroup(group: string): Promise<void> {
    await this.request('DELETE', consumerGroupPath(group));
  }

  /** `POST /v1/share-groups/{group}/members`: joins (creating the group if needed). */
  joinShareGroup(group: string, request: JoinShareGroupRequest): Promise<JoinShareGroupResponse> {
    return this.request('POST', `${shareGroupPath(group)}/members`, request);
  }

  /** `POST …/members/{memberId}/heartbeat`. */
  shareHeartbeat(group: string, memberId: string): Promise<{ assignment: TopicPartition[] }> {
    return this.request(
      'POST',
      `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/heartbeat`,
      {},
      0,
      undefined,
      'always',
    );
  }

  /** `DELETE …/members/{memberId}`: leaves; what the member held is released at once. */
  async leaveShareGroup(group: string, memberId: string): Promise<void> {
    await this.request('DELETE', `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}`);
  }

  /** `POST …/members/{memberId}/fetch`: acquires records, after applying the piggy-backed `acks`. */
  shareFetch(
    group: string,
    memberId: string,
    request: ShareFetchRequest = {},
    signal?: AbortSignal,
  ): Promise<ShareFetchResponse> {
    return this.request(
      'POST',
      `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/fetch`,
      request,
      request.maxWaitMs,
      signal,
      'always',
    );
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
  acknowledgeProducing(group: string, memberId: string, request: AcknowledgeRequest): Promise<AcknowledgeResponse> {
    return this.request<AcknowledgeResponse>(
      'POST',
      `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/acks`,
      request,
      0,
      undefined,
      'always',
    );
  }

  async acknowledge(
    group: string,
    memberId: string,
    acks: (Acknowledgement | ProducingAcknowledgement)[],
  ): Promise<AckResult[]> {
    const answer = await this.request<{ results: AckResult[] }>(
      'POST',
      `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/acks`,
      { acks },
      0,
      undefined,
      'always',
    );
    return answer.results;
  }

  /**
   * `POST …/members/{memberId}/progress`: stores a job's progress (any JSON, at most 4 KiB) with
   * a record the member holds and renews its lock; 409 `INVALID_RECORD_STATE` when it does not
   * hold it. The job lookup (`shareJob`) shows it as `progress`.
   */
  reportProgress(
    group: string,
    memberId: string,
    job: { topic: string; partition: number; offset: number; value: unknown },
  ): Promise<JobProgressResponse> {
    return this.request(
      'POST',
      `${shareGroupPath(group)}/members/${encodeURIComponent(memberId)}/progress`,
      job,
      0,
      undefined,
      'always',
    );
  }

  /** `GET /v1/share-groups/{group}`. */
  describeShareGroup(group: string): Promise<ShareGroupDescription> {
    return this.request('GET', shareGroupPath(group));
  }

  /** `PATCH /v1/share-groups/{group}/config`: answers the whole config; creates the group if needed. */
  updateShareGroupConfig(group: string, change: Partial<ShareGroupConfigView>): Promise<ShareGroupConfigView> {
    return this.request('PATCH', `${shareGroupPath(group)}/config`, change, 0, undefined, 'always');
  }

  /** `POST /v1/share-groups/{group}/offsets/reset`: only while the group has no members. */
  async resetShareGroupOffsets(group: string, request: ResetOffsetsRequest): Promise<void> {
    await this.request('POST', `${shareGroupPath(group)}/offsets/reset`, request);
  }

  /** `DELETE /v1/share-groups/{group}`: only while the group has no members. */
  async deleteShareGroup(group: string): Promise<void> {
    await this.request('DELETE', shareGroupPath(group));
  }

  /** `GET /v1/share-groups/{group}/topics/{topic}/partitions/{p}/in-flight`. */
  shareInFlight(
    group: string,
    topic: string,
    partition: number,
    options: { offset?: number; maxRecords?: number } = {},
  ): Promise<InFlightRecordList> {
    const query = new URLSearchParams();
    if (options.offset !== undefined) query.set('offset', String(options.offset));
    if (options.maxRecords !== undefined) query.set('maxRecords', String(options.maxRecords));
    const path = `${shareGroupPath(group)}/topics/${encodeURIComponent(topic)}/partitions/${partition}/in-flight`;
    return this.request('GET', `${path}?${query.toString()}`);
  }

  /** `GET /v1/share-groups/{group}/topics/{topic}/partitions/{p}/records/{offset}`: one job's state in the group. */
  shareJob(group: string, topic: string, partition: number, offset: number): Promise<JobView> {
    return this.request('GET', jobPath(group, topic, { partition, offset }));
  }

  /** `GET /v1/share-groups/{group}/topics/{topic}/idempotency-keys/{key}`: the job produced with `key`, in the group. */
  shareJobByIdempotencyKey(group: string, topic: string, key: string): Promise<JobView> {
    return this.request('GET', jobPath(group, topic, { idempotencyKey: key }));
  }

  /**
   * Waits until a job of the group is acknowledged, archived (rejected or dead-lettered at its
   * delivery limit) or finished, and answers it — BullMQ's `waitUntilFinished` — with long polls
   * of the job routes (`?waitMs`, at most 60 s each), no polling in a loop. After `timeoutMs`
   * (default: no limit) it answers the job as it is then.
   */
  async waitForJob(
    group: string,
    topic: string,
    job: JobIdentity,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<JobView> {
    const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
    for (;;) {
      const waitMs = Math.round(Math.max(0, Math.min(60_000, deadline - Date.now())));
      const view = await this.request<JobView>(
        'GET',
        `${jobPath(group, topic, job)}?waitMs=${waitMs}`,
        undefined,
        waitMs,
        options.signal,
      );
      if (['acknowledged', 'archived', 'finished'].includes(view.state) || Date.now() >= deadline) return view;
    }
  }
}

function consumerGroupPath(group: string): string {
  return `/v1/consumer-groups/${encodeURIComponent(group)}`;
}

function shareGroupPath(group: string): string {
  return `/v1/share-groups/${encodeURIComponent(group)}`;
}

/** Where a job is: its coordinates, or the idempotency key it was produced with. */
export type JobIdentity = { partition: number; offset: number } | { idempotencyKey: string };

function jobPath(group: string, topic: string, job: JobIdentity): string {
  const base = `${shareGroupPath(group)}/topics/${encodeURIComponent(topic)}`;
  return 'idempotencyKey' in job
    ? `${base}/idempotency-keys/${encodeURIComponent(job.idempotencyKey)}`
    : `${base}/partitions/${job.partition}/records/${job.offset}`;
}
