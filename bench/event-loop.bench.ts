import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ShoalHttpClient } from '@shoal/client';
import type { Acknowledgement, AckType, ShareFetchResponse } from '@shoal/protocol';
import { fetchAndCommit } from './consumer-group.bench.js';
import { fmt, percentile, printTable, startBenchBroker } from './harness.js';
import { HttpLoad } from './http-load.js';

const SECONDS = Number(process.env.BENCH_EVENTLOOP_SECONDS ?? 60);
const RECORDS_PER_SECOND = 400;
const RECORDS_PER_REQUEST = 4;
const SHARE_MEMBERS = 4;
const SCRAPE_MS = 5_000;

/** One `/metrics` answer's figures the bench reads: the broker's own event-loop delay and RSS. */
export interface Scrape {
  p99: number;
  max: number;
  rssBytes: number;
}

function metric(text: string, pattern: string): number {
  const match = new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text);
  if (!match) throw new Error(`no ${pattern} in /metrics`);
  return Number(match[1]);
}

export function parseScrape(text: string): Scrape {
  return {
    p99: metric(text, 'shoal_event_loop_delay_seconds\\{quantile="0.99"\\}') * 1000,
    max: metric(text, 'shoal_event_loop_delay_seconds\\{quantile="1"\\}') * 1000,
    rssBytes: metric(text, 'process_resident_memory_bytes'),
  };
}

/**
 * The light mixed load on a fresh broker (SQLite FULL, default settings): ~400
 * records/s produced in requests of 4 (paced, not waiting for one another), a share group of
 * 4 members long-polling and accepting on their next fetch, a consumer group long-polling and
 * committing, and a `/metrics` scrape every 5 s. The broker measures its own event-loop delay
 * (`shoal_event_loop_delay_seconds`, the window since the previous scrape); the bench reads it
 * from each scrape and times the produce requests.
 */
export async function benchEventLoop(): Promise<void> {
  const broker = await startBenchBroker();
  const load = new HttpLoad(broker.url);
  const topic = 'event-loop';
  try {
    await broker.client.createTopic({ name: topic, partitions: 4 });
    await broker.client.updateShareGroupConfig('event-loop-share', { autoOffsetReset: 'earliest' });
    const deadline = performance.now() + SECONDS * 1000;
    const running = () => performance.now() < deadline;
    await load.request('GET', '/metrics'); // opens the first window
    // The bench's own loop does little: its delay is what the machine (other processes) adds.
    const floor = monitorEventLoopDelay({ resolution: 10 });
    floor.enable();
    const [produced, accepted, consumed, scrapes] = await Promise.all([
      produce(load, topic, running),
      shareMembers(load, broker.client, topic, running),
      consumer(load, broker.client, topic, running),
      scrape(load, running),
    ]);
    floor.disable();
    report(produced, accepted.accept, consumed, scrapes, Math.max(0, floor.percentile(99) / 1e6 - 10));
  } finally {
    load.close();
    await broker.stop();
  }
}

/** ~400 records/s in paced requests of 4 until `running()` turns false; answers each request's latency (ms). */
export async function produce(
  load: HttpLoad,
  topic: string,
  running: () => boolean,
  onAnswer: (latencyMs: number) => void = () => undefined,
): Promise<number[]> {
  const body = JSON.stringify({
    records: Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => ({
      key: `k${i}`,
      value: { n: i, pad: 'v'.repeat(64) },
    })),
  });
  const intervalMs = (1000 * RECORDS_PER_REQUEST) / RECORDS_PER_SECOND;
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  for (let sent = 0; running(); sent++) {
    const due = started + sent * intervalMs;
    const ahead = due - performance.now();
    if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
    const at = performance.now();
    const request: Promise<void> = load.request('POST', `/v1/topics/${topic}/records`, body).then(() => {
      latencies.push(performance.now() - at);
      onAnswer(latencies[latencies.length - 1]);
      inFlight.delete(request);
    });
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  return latencies;
}

/**
 * A share group of `members` long-polling `topic`, each acknowledging what it got on its next
 * fetch with the type `decide` picks (accept, by default); answers the acks that succeeded, by type.
 */
export async function shareMembers(
  load: HttpLoad,
  client: ShoalHttpClient,
  topic: string,
  running: () => boolean,
  {
    group = 'event-loop-share',
    members = SHARE_MEMBERS,
    decide = (_offset: number, _deliveryCount: number): AckType => 'accept',
  }: { group?: string; members?: number; decide?: (offset: number, deliveryCount: number) => AckType } = {},
): Promise<Record<AckType, number>> {
  const counts: Record<AckType, number> = { accept: 0, release: 0, reject: 0, renew: 0 };
  await Promise.all(
    Array.from({ length: members }, async () => {
      const { memberId } = await client.joinShareGroup(group, { topics: [topic] });
      let acks: Acknowledgement[] = [];
      const path = `/v1/share-groups/${group}/members/${memberId}`;
      while (running()) {
        const text = await load.request(
          'POST',
          `${path}/fetch`,
          JSON.stringify({ maxRecords: 50, maxWaitMs: 1000, acks }),
        );
        const answer = JSON.parse(text) as ShareFetchResponse;
        answer.ackResults.forEach((result, i) => {
          if (result.error === null) counts[acks[i].type]++;
        });
        acks = answer.records.map((r) => ({
          topic,
          partition: r.partition,
          offset: r.offset,
          type: decide(r.offset, r.deliveryCount),
        }));
      }
      if (acks.length > 0) await load.request('POST', `${path}/acks`, JSON.stringify({ acks }));
      await load.request('DELETE', path);
    }),
  );
  return counts;
}

/** A consumer-group member long-polling and committing what it read, until `running()` turns false. */
export async function consumer(
  load: HttpLoad,
  client: ShoalHttpClient,
  topic: string,
  running: () => boolean,
): Promise<number> {
  const group = 'event-loop-consumers';
  const { memberId } = await client.joinConsumerGroup(group, { topics: [topic], autoOffsetReset: 'earliest' });
  let consumed = 0;
  while (running()) {
    consumed += await fetchAndCommit(load, topic, group, memberId, '{"maxRecords":500,"maxWaitMs":1000}');
  }
  await load.request('DELETE', `/v1/consumer-groups/${group}/members/${memberId}`);
  return consumed;
}

async function scrape(load: HttpLoad, running: () => boolean): Promise<{ scrapes: Scrape[]; scrapeMs: number[] }> {
  const scrapes: Scrape[] = [];
  const scrapeMs: number[] = [];
  while (running()) {
    await new Promise((resolve) => setTimeout(resolve, SCRAPE_MS));
    const at = performance.now();
    scrapes.push(parseScrape(await load.request('GET', '/metrics')));
    scrapeMs.push(performance.now() - at);
  }
  return { scrapes, scrapeMs };
}

function report(
  produced: number[],
  accepted: number,
  consumed: number,
  { scrapes, scrapeMs }: { scrapes: Scrape[]; scrapeMs: number[] },
  floorP99: number,
): void {
  const sorted = [...produced].sort((a, b) => a - b);
  const windowP99 = scrapes.map((s) => s.p99).sort((a, b) => a - b);
  const max = Math.max(...scrapes.map((s) => s.max));
  const rss = Math.max(...scrapes.map((s) => s.rssBytes)) / 2 ** 20;
  printTable(
    `Event loop under a light mixed load (${SECONDS} s: ${RECORDS_PER_SECOND} records/s in requests of ${RECORDS_PER_REQUEST}, share group of ${SHARE_MEMBERS}, consumer group, /metrics every 5 s)`,
    ['figure', 'value'],
    [
      ['event-loop delay p99, median of 5 s windows (ms)', fmt(percentile(windowP99, 50), 1)],
      ['event-loop delay p99, worst 5 s window (ms)', fmt(windowP99[windowP99.length - 1] ?? 0, 1)],
      ['event-loop delay max (ms)', fmt(max, 1)],
      ['the bench process’s own event-loop delay p99 (ms): the machine’s noise floor', fmt(floorP99, 1)],
      [
        'produce p50 / p99 / max (ms)',
        `${fmt(percentile(sorted, 50), 1)} / ${fmt(percentile(sorted, 99), 1)} / ${fmt(sorted[sorted.length - 1] ?? 0, 1)}`,
      ],
      ['produce requests answered', fmt(sorted.length)],
      ['share records accepted / consumer records read', `${fmt(accepted)} / ${fmt(consumed)}`],
      [
        '/metrics scrape p50 / max (ms)',
        `${fmt(
          percentile(
            [...scrapeMs].sort((a, b) => a - b),
            50,
          ),
          1,
        )} / ${fmt(Math.max(...scrapeMs), 1)}`,
      ],
      ['broker RSS, largest scraped (MB)', fmt(rss)],
    ],
  );
}
