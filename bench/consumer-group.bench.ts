import type { ConsumerFetchResponse } from '@shoal/protocol';
import { type BenchBroker, fmt, printTable } from './harness.js';
import { HttpLoad } from './http-load.js';

const RECORDS = Number(process.env.BENCH_CONSUMER_RECORDS ?? 400_000);

/**
 * Consumer-group read throughput: members of one group drain a 4-partition topic, fetching up
 * to 1,000 records at a time and committing after every fetch.
 */
export async function benchConsumerGroups(broker: BenchBroker): Promise<void> {
  const load = new HttpLoad(broker.url);
  const topic = 'consumer-bench';
  await broker.client.createTopic({ name: topic, partitions: 4 });
  const body = JSON.stringify({
    records: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(98) })),
  });
  for (let i = 0; i < RECORDS / 1000; i++) await load.request('POST', `/v1/topics/${topic}/records`, body);

  const rows: (string | number)[][] = [];
  for (const memberCount of [1, 4]) {
    const group = `bench-${memberCount}`;
    const members: string[] = [];
    for (let i = 0; i < memberCount; i++) {
      members.push(
        (await broker.client.joinConsumerGroup(group, { topics: [topic], autoOffsetReset: 'earliest' })).memberId,
      );
    }
    // Let every member see the final assignment before timing.
    for (const m of members) await broker.client.consumerHeartbeat(group, m);
    let consumed = 0;
    const started = performance.now();
    await Promise.all(
      members.map(async (memberId) => {
        while (consumed < RECORDS) {
          consumed += await fetchAndCommit(load, topic, group, memberId, '{"maxRecords":1000,"maxWaitMs":100}');
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    rows.push([memberCount, 4, fmt(consumed), fmt(consumed / seconds)]);
    for (const m of members) await broker.client.leaveConsumerGroup(group, m);
  }
  load.close();
  printTable(
    'Consumer group read (fetch 1,000 + commit, 100-byte values)',
    ['members', 'partitions', 'records', 'records/s'],
    rows,
  );
}

/** One consumer-group fetch, then a commit past what it read; answers how many records came. */
export async function fetchAndCommit(
  load: HttpLoad,
  topic: string,
  group: string,
  memberId: string,
  fetchBody: string,
): Promise<number> {
  const text = await load.request('POST', `/v1/consumer-groups/${group}/members/${memberId}/fetch`, fetchBody);
  const answer = JSON.parse(text) as ConsumerFetchResponse;
  const next = new Map<number, number>();
  for (const r of answer.records) next.set(r.partition, r.offset + 1);
  if (next.size > 0) {
    const offsets = [...next].map(([partition, offset]) => ({ topic, partition, offset }));
    await load.request(
      'POST',
      `/v1/consumer-groups/${group}/offsets`,
      JSON.stringify({ memberId, generation: answer.generation, offsets }),
    );
  }
  return answer.records.length;
}
