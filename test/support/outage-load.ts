import type { ShoalHttpClient } from '@shoal/client';
import { sleep } from './until.js';

/** What the broker answered while a producer worked: refusals by status and code, and `Retry-After`s seen. */
export interface ProducerTally {
  acknowledged: Set<number>;
  refused: Map<string, number>;
  retryAfter: Set<string>;
  /** Failures without an answer (a broker that dropped the connection or died). */
  connectionErrors: number;
}

/**
 * Producers under load over plain HTTP (to see every status and header): each sends batches of
 * records `{job: n}` with an idempotency key per job to the brokers in turn; a batch refused
 * with 503 is sent again after its `Retry-After`, unchanged, so it is appended once whatever
 * happened to the first attempt. A job counts as acknowledged when its batch was answered 200.
 */
export class ProducerLoad {
  readonly tally: ProducerTally = {
    acknowledged: new Set(),
    refused: new Map(),
    retryAfter: new Set(),
    connectionErrors: 0,
  };
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private next = 0;

  constructor(
    private readonly urls: () => string[],
    private readonly topic: string,
    producers: number,
    private readonly batch = 10,
  ) {
    for (let p = 0; p < producers; p++) this.loops.push(this.loop(p));
  }

  async stop(): Promise<ProducerTally> {
    this.running = false;
    await Promise.all(this.loops);
    return this.tally;
  }

  private async loop(producer: number): Promise<void> {
    let turn = producer;
    while (this.running) {
      const jobs = Array.from({ length: this.batch }, () => this.next++);
      const records = jobs.map((job) => ({ value: { job }, idempotencyKey: `job-${job}` }));
      // The same batch until it is answered 200 (or the load stops): retries carry the same keys.
      while (this.running) {
        const urls = this.urls();
        const url = urls[turn++ % urls.length];
        const status = await this.send(url, records);
        if (status === 200) {
          for (const job of jobs) this.tally.acknowledged.add(job);
          break;
        }
        await sleep(status === 503 ? 200 : 100);
      }
    }
  }

  private async send(url: string, records: unknown[]): Promise<number> {
    try {
      const response = await fetch(`${url}/v1/topics/${this.topic}/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ records }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json()) as { error?: { code: string } };
      if (response.status !== 200) {
        const key = `${response.status} ${body.error?.code ?? '?'}`;
        this.tally.refused.set(key, (this.tally.refused.get(key) ?? 0) + 1);
        const retryAfter = response.headers.get('retry-after');
        if (retryAfter !== null) this.tally.retryAfter.add(retryAfter);
      }
      return response.status;
    } catch {
      this.tally.connectionErrors++;
      return 0;
    }
  }
}

/** Every `job` stored in the topic's partitions, in offset order per partition (duplicates kept). */
export async function storedJobs(client: ShoalHttpClient, topic: string, partitions: number): Promise<number[]> {
  const jobs: number[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    for (let offset = 0; ;) {
      const page = await client.read(topic, partition, { offset, maxRecords: 1_000 });
      if (page.records.length === 0) break;
      for (const record of page.records) jobs.push((record.value as { job: number }).job);
      offset = page.nextOffset;
    }
  }
  return jobs;
}

/** Numbers that occur more than once. */
export function repeated(values: Iterable<number>): number[] {
  const seen = new Set<number>();
  const twice = new Set<number>();
  for (const v of values) (seen.has(v) ? twice : seen).add(v);
  return [...twice];
}

/** An HTTP answer's status, `error.code` and `Retry-After`, without retries. */
export async function probe(url: string): Promise<{ status: number; code?: string; retryAfter: string | null }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const code = response.status >= 400 ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : undefined;
  return { status: response.status, code, retryAfter: response.headers.get('retry-after') };
}
