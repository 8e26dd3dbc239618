import type { ShoalHttpClient } from '@shoal/client';

/**
 * Steps that consume and produce in one transaction (issue 26), held open across a database
 * outage: a share-group member holding a record and a consumer-group member that read it, each
 * about to acknowledge / commit with records to produce. During the outage both must be refused
 * with 503 and nothing produced; afterwards the share step succeeds once.
 */
export class ChainStepsAcrossOutage {
  private readonly input: string;
  private readonly output: string;
  private shareMember = '';
  private consumerMember = '';
  private generation = 0;

  constructor(
    private readonly client: ShoalHttpClient,
    private readonly url: string,
    prefix: string,
  ) {
    this.input = `${prefix}-chain-in`;
    this.output = `${prefix}-chain-out`;
  }

  /** Before the outage: one input record, read by a consumer member and acquired by a share member. */
  async prepare(): Promise<void> {
    await this.client.createTopic({ name: this.input, partitions: 1 });
    await this.client.createTopic({ name: this.output, partitions: 1 });
    await this.client.produce(this.input, [{ value: { step: 1 } }]);
    await this.client.updateShareGroupConfig('outage-chain-share', { autoOffsetReset: 'earliest' });
    this.shareMember = (await this.client.joinShareGroup('outage-chain-share', { topics: [this.input] })).memberId;
    const held = await this.client.shareFetch('outage-chain-share', this.shareMember, { maxWaitMs: 5_000 });
    if (held.records.length !== 1) throw new Error(`expected to hold 1 record, got ${held.records.length}`);
    const joined = await this.client.joinConsumerGroup('outage-chain-consumer', {
      topics: [this.input],
      autoOffsetReset: 'earliest',
    });
    this.consumerMember = joined.memberId;
    this.generation = joined.generation;
    const read = await this.client.consumerFetch('outage-chain-consumer', this.consumerMember, { maxWaitMs: 5_000 });
    if (read.records.length !== 1) throw new Error(`expected to read 1 record, got ${read.records.length}`);
  }

  /** During the outage: the producing ack and the producing commit, each answered with `{status, code}`. */
  async attempt(): Promise<{ ack: Refusal; commit: Refusal }> {
    const produce = [{ topic: this.output, records: [{ value: { step: 2 } }] }];
    const ack = await this.post(`/v1/share-groups/outage-chain-share/members/${this.shareMember}/acks`, {
      acks: [{ topic: this.input, partition: 0, offset: 0, type: 'accept', produce }],
    });
    const commit = await this.post('/v1/consumer-groups/outage-chain-consumer/offsets', {
      memberId: this.consumerMember,
      generation: this.generation,
      offsets: [{ topic: this.input, partition: 0, offset: 1 }],
      produce,
    });
    return { ack, commit };
  }

  /** After the outage: how many records the output topic holds, and whether a new member's producing ack works once. */
  async afterwards(): Promise<{ outputBefore: number; produced: number; outputAfter: number }> {
    const outputBefore = await this.outputCount();
    const member = (await this.client.joinShareGroup('outage-chain-share', { topics: [this.input] })).memberId;
    let fetched = await this.client.shareFetch('outage-chain-share', member, { maxWaitMs: 5_000 });
    for (let tries = 0; fetched.records.length === 0 && tries < 12; tries++)
      fetched = await this.client.shareFetch('outage-chain-share', member, { maxWaitMs: 5_000 });
    const answer = await this.client.acknowledgeProducing('outage-chain-share', member, {
      acks: [
        {
          topic: this.input,
          partition: 0,
          offset: 0,
          type: 'accept',
          produce: [{ topic: this.output, records: [{ value: 2 }] }],
        },
      ],
    });
    const produced = answer.results.filter((result) => result.produced !== undefined).length;
    return { outputBefore, produced, outputAfter: await this.outputCount() };
  }

  private async outputCount(): Promise<number> {
    return (await this.client.read(this.output, 0, { offset: 0, maxRecords: 100 })).records.length;
  }

  private async post(path: string, body: unknown): Promise<Refusal> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    return { status: response.status, code: answer.error?.code };
  }
}

export interface Refusal {
  status: number;
  code?: string;
}
