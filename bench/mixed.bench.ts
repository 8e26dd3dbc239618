import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { AckType } from '@shoal/protocol';
import { consumer, parseScrape, produce, type Scrape, shareMembers } from './event-loop.bench.js';
import { fmt, percentile, printTable, startBenchBroker } from './harness.js';
import { HttpLoad } from './http-load.js';

const MINUTES = Number(process.env.MINUTES ?? 10);
const SHARE_MEMBERS = 4;
const IDLE_LONG_POLLS = 8;
const SCRAPE_MS = 5_000;

/** What each minute of the load saw. */
interface Minute {
  produced: number[];
  scrapes: Scrape[];
  /** This bench process's own event-loop delay p99 (ms): what the machine adds, not the broker. */
  floor: number;
}

/**
 * `npm run bench:mixed` (issue 29): the mixed load a small production broker carries, for
 * `MINUTES` (default 10) on a fresh broker process (SQLite, FULL, default settings): ~400
 * records/s produced in paced requests of 4; a consumer group long-polling and committing; a
 * share group of 4 members that accepts most records, releases every 20th on its first
 * delivery (it comes back) and rejects every 50th; 8 long polls on an idle topic; a `/metrics`
 * scrape every 5 s. The event-loop delay is the broker's own histogram read from outside, each
 * scrape answering the window since the previous one; reported per minute with the RSS, so
 * growth over time shows.
 */
export async function benchMixed(): Promise<void> {
  const broker = await startBenchBroker();
  const load = new HttpLoad(broker.url);
  const topic = 'mixed';
  const idle = 'mixed-idle';
  try {
    await broker.client.createTopic({ name: topic, partitions: 4 });
    await broker.client.createTopic({ name: idle, partitions: 4 });
    await broker.client.updateShareGroupConfig('mixed-share', { autoOffsetReset: 'earliest' });
    const minutes: Minute[] = Array.from({ length: Math.ceil(MINUTES) }, () => ({
      produced: [],
      scrapes: [],
      floor: 0,
    }));
    const started = performance.now();
    const deadline = started + MINUTES * 60_000;
    const running = () => performance.now() < deadline;
    const minuteNow = () => minutes[Math.min(minutes.length - 1, Math.floor((performance.now() - started) / 60_000))];
    await load.request('GET', '/metrics'); // opens the first window
    const floor = monitorEventLoopDelay({ resolution: 10 });
    floor.enable();
    let minute = minuteNow();
    const floorTimer = setInterval(() => {
      if (minuteNow() === minute) return;
      minute.floor = floorP99(floor);
      minute = minuteNow();
    }, 1_000);
    const [, acks, consumed] = await Promise.all([
      produce(load, topic, running, (ms) => minuteNow().produced.push(ms)),
      shareMembers(load, broker.client, topic, running, { group: 'mixed-share', members: SHARE_MEMBERS, decide }),
      consumer(load, broker.client, topic, running),
      idleLongPolls(load, idle, running),
      scrape(load, running, (s) => minuteNow().scrapes.push(s)),
    ]);
    clearInterval(floorTimer);
    minute.floor = floorP99(floor);
    floor.disable();
    report(minutes, acks, consumed);
  } finally {
    load.close();
    await broker.stop();
  }
}

/** The p99 of `histogram` (its timer's own 10 ms period taken off) since it was last reset; resets it. */
function floorP99(histogram: IntervalHistogram): number {
  const p99 = histogram.count > 0 ? Math.max(0, histogram.percentile(99) / 1e6 - 10) : 0;
  histogram.reset();
  return p99;
}

/** What a member does with a record: most are accepted, some released once, some rejected. */
function decide(offset: number, deliveryCount: number): AckType {
  if (offset % 50 === 7) return 'reject';
  if (offset % 20 === 0 && deliveryCount === 1) return 'release';
  return 'accept';
}

/** Readers long-polling a topic nobody writes to: each waits its full `maxWaitMs`, again and again. */
async function idleLongPolls(load: HttpLoad, topic: string, running: () => boolean): Promise<void> {
  await Promise.all(
    Array.from({ length: IDLE_LONG_POLLS }, async (_, i) => {
      while (running())
        await load.request('GET', `/v1/topics/${topic}/partitions/${i % 4}/records?offset=0&maxWaitMs=5000`);
    }),
  );
}

async function scrape(load: HttpLoad, running: () => boolean, onScrape: (scrape: Scrape) => void): Promise<void> {
  while (running()) {
    await new Promise((resolve) => setTimeout(resolve, SCRAPE_MS));
    onScrape(parseScrape(await load.request('GET', '/metrics')));
  }
}

function report(minutes: Minute[], acks: Record<AckType, number>, consumed: number): void {
  const windows = minutes.flatMap((m) => m.scrapes);
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  const rows = minutes.map((minute, i) => {
    const p99s = minute.scrapes.map((s) => s.p99);
    const produced = [...minute.produced].sort((a, b) => a - b);
    return [
      i + 1,
      fmt(median(p99s), 1),
      fmt(Math.max(0, ...p99s), 1),
      fmt(Math.max(0, ...minute.scrapes.map((s) => s.max)), 1),
      fmt(Math.max(0, ...minute.scrapes.map((s) => s.rssBytes)) / 2 ** 20),
      fmt((produced.length * 4) / 60),
      `${fmt(percentile(produced, 50) ?? 0, 1)} / ${fmt(percentile(produced, 99) ?? 0, 1)}`,
      fmt(minute.floor, 1),
    ];
  });
  printTable(
    `Mixed load, ${MINUTES} min: 400 records/s produced, a consumer group committing, a share group of ${SHARE_MEMBERS} accepting/releasing/rejecting, ${IDLE_LONG_POLLS} idle long polls, /metrics every 5 s`,
    [
      'minute',
      'loop p99 ms (median of 5 s windows)',
      'loop p99 ms (worst window)',
      'loop max ms',
      'RSS MB (max)',
      'records/s',
      'produce p50 / p99 ms',
      'bench process loop p99 ms (the machine’s noise floor)',
    ],
    rows,
  );
  const p99s = windows.map((s) => s.p99);
  printTable(
    'Mixed load, whole run',
    ['figure', 'value'],
    [
      ['event-loop delay p99, median of 5 s windows (ms)', fmt(median(p99s), 1)],
      ['event-loop delay p99, worst 5 s window (ms)', fmt(Math.max(0, ...p99s), 1)],
      ['broker RSS, largest scraped (MB)', fmt(Math.max(0, ...windows.map((s) => s.rssBytes)) / 2 ** 20)],
      ['share acks accepted / released / rejected', `${fmt(acks.accept)} / ${fmt(acks.release)} / ${fmt(acks.reject)}`],
      ['consumer records read', fmt(consumed)],
    ],
  );
}
