import type { Acknowledgement, ShareFetchResponse } from '@shoal/protocol';
import { type BenchBroker, fmt, percentile, printTable } from './harness.js';
import { HttpLoad } from './http-load.js';

const RECORDS = Number(process.env.BENCH_SHARE_RECORDS ?? 100_000);

/**
 * Share-group throughput end to end over HTTP: members of one group acquire records in
 * fetches of 100 and accept each batch on their next fetch (piggy-backed acks), until the
 * topic's 4 partitions are drained; and the time from a record's fetch to its accept landing.
 */
export async function benchShareGroups(broker: BenchBroker): Promise<void> {
  const load = new HttpLoad(broker.url);
  const rows: (string | number)[][] = [];
  for (const memberCount of [1, 8, 32]) {
    const topic = `share-bench-${memberCount}`;
    const group = `share-bench-${memberCount}`;
    await broker.client.createTopic({ name: topic, partitions: 4 });
    const body = JSON.stringify({
      records: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(98) })),
    });
    for (let i = 0; i < RECORDS / 1000; i++) await load.request('POST', `/v1/topics/${topic}/records`, body);
    await broker.client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest' });
    const members: string[] = [];
    for (let i = 0; i < memberCount; i++)
      members.push((await broker.client.joinShareGroup(group, { topics: [topic] })).memberId);

    let accepted = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      members.map(async (memberId) => {
        let acks: Acknowledgement[] = [];
        let fetchedAt = 0;
        while (accepted < RECORDS) {
          const text = await load.request(
            'POST',
            `/v1/share-groups/${group}/members/${memberId}/fetch`,
            JSON.stringify({ maxRecords: 100, maxWaitMs: 50, acks }),
          );
          const now = performance.now();
          const answer = JSON.parse(text) as ShareFetchResponse;
          const applied = answer.ackResults.filter((r) => r.error === null).length;
          if (applied > 0) {
            accepted += applied;
            latencies.push(now - fetchedAt);
          }
          fetchedAt = now;
          acks = answer.records.map((r) => ({
            topic,
            partition: r.partition,
            offset: r.offset,
            type: 'accept' as const,
          }));
        }
        if (acks.length > 0)
          await load.request('POST', `/v1/share-groups/${group}/members/${memberId}/acks`, JSON.stringify({ acks }));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    rows.push([
      memberCount,
      4,
      fmt(accepted),
      fmt(accepted / seconds),
      fmt(percentile(latencies, 50), 1),
      fmt(percentile(latencies, 99), 1),
    ]);
    for (const m of members) await broker.client.leaveShareGroup(group, m);
  }
  load.close();
  printTable(
    'Share group: acquire + accept end to end (fetches of 100, acks piggy-backed)',
    ['members', 'partitions', 'accepted', 'records/s', 'fetch→accept p50 ms', 'p99 ms'],
    rows,
  );
}
