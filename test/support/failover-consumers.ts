import { ShoalApiError, ShoalHttpClient } from '@shoal/client';
import type { Acknowledgement } from '@shoal/protocol';
import { sleep } from './until.js';

const clientFor = (url: string) =>
  new ShoalHttpClient({ url, timeoutMs: 10_000, retry: { retries: 2, minDelayMs: 100, maxDelayMs: 1_000 } });

const isGone = (error: unknown) =>
  error instanceof ShoalApiError && (error.code === 'UNKNOWN_MEMBER' || error.code === 'FENCED');

/** A group member's loop on one broker, started with {@link start}, ended (and the member left) by {@link stop}. */
abstract class MemberLoop {
  protected running = true;
  protected readonly client: ShoalHttpClient;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    url: string,
    protected readonly group: string,
    protected readonly topic: string,
  ) {
    this.client = clientFor(url);
  }

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.client.close();
  }

  protected abstract run(): Promise<void>;
}

/**
 * A share-group member that accepts every record it gets, its accepts riding on the next fetch.
 * `accepted` counts, per `partition:offset`, the accepts the broker answered as applied: a
 * record accepted twice would count 2. An accept whose answer was lost is sent again, and the
 * broker must then refuse it (the record is no longer held), not apply it a second time.
 */
export class ShareAccepter extends MemberLoop {
  readonly accepted = new Map<string, number>();

  protected async run(): Promise<void> {
    let memberId: string | undefined;
    let acks: Acknowledgement[] = [];
    while (this.running) {
      try {
        memberId ??= (await this.client.joinShareGroup(this.group, { topics: [this.topic] })).memberId;
        const answer = await this.client.shareFetch(this.group, memberId, { maxRecords: 50, maxWaitMs: 500, acks });
        acks = answer.records.map(({ topic, partition, offset }) => ({ topic, partition, offset, type: 'accept' }));
        for (const result of answer.ackResults) {
          if (result.error !== null) continue;
          for (let o = result.offset; o <= (result.lastOffset ?? result.offset); o++) {
            const key = `${result.partition}:${o}`;
            this.accepted.set(key, (this.accepted.get(key) ?? 0) + 1);
          }
        }
      } catch (error) {
        if (isGone(error)) {
          memberId = undefined;
          acks = [];
        }
        await sleep(200);
      }
    }
    if (memberId) await this.client.leaveShareGroup(this.group, memberId).catch(() => undefined);
  }
}

/**
 * A consumer-group member that commits, after each fetch, the offset after the last record of
 * each partition it got. `committed` keeps the highest offset per partition whose commit was
 * answered 204: the group must show at least that much after a failover.
 */
export class OffsetCommitter extends MemberLoop {
  readonly committed = new Map<number, number>();

  protected async run(): Promise<void> {
    let member: { memberId: string; generation: number } | undefined;
    while (this.running) {
      try {
        member ??= await this.client.joinConsumerGroup(this.group, {
          topics: [this.topic],
          autoOffsetReset: 'earliest',
        });
        const answer = await this.client.consumerFetch(this.group, member.memberId, {
          maxRecords: 100,
          maxWaitMs: 500,
        });
        member.generation = answer.generation;
        const next = new Map<number, number>();
        for (const r of answer.records) next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
        if (next.size === 0) continue;
        const offsets = [...next].map(([partition, offset]) => ({ topic: this.topic, partition, offset }));
        await this.client.commitOffsets(this.group, member.memberId, member.generation, offsets);
        for (const [partition, offset] of next)
          this.committed.set(partition, Math.max(this.committed.get(partition) ?? 0, offset));
      } catch (error) {
        if (isGone(error)) member = undefined;
        await sleep(200);
      }
    }
    if (member) await this.client.leaveConsumerGroup(this.group, member.memberId).catch(() => undefined);
  }
}
