import { ShareFetchService } from '../../src/share-groups/share-fetch.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${ShareFetchService.name} priorities and rate limits on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_800_000_000_000);
  });
  afterAll(() => log.close());

  async function setUp(prefix: string, counts: Record<string, number>, config: object) {
    for (const [topic, count] of Object.entries(counts)) {
      await log.topics.create(`${prefix}.${topic}`, 2, undefined);
      await log.produce(
        `${prefix}.${topic}`,
        Array.from({ length: count }, (_, i) => ({ value: `${topic}-${i}` })),
      );
    }
    const group = `${prefix}-workers`;
    await log.shares.updateConfig(group, { autoOffsetReset: 'earliest', ...config });
    const { memberId } = await log.shares.join(group, { topics: Object.keys(counts).map((t) => `${prefix}.${t}`) });
    const fetch = async (maxRecords: number) =>
      (await log.shareFetch.fetch(group, memberId, { maxRecords, maxWaitMs: 0, acks: [] })).records;
    return { group, fetch };
  }

  const topicsOf = (records: { topic: string }[]) =>
    records.reduce<Record<string, number>>((n, r) => ({ ...n, [r.topic]: (n[r.topic] ?? 0) + 1 }), {});

  it('fills a fetch from higher-priority topics first, keeping the starvation share for lower ones', async () => {
    const { group, fetch } = await setUp(
      'prio',
      { high: 100, normal: 100, low: 100 },
      { topicPriority: ['prio.high', 'prio.normal', 'prio.low'], lowerPriorityShare: 0.2 },
    );
    expect(topicsOf(await fetch(50))).toEqual({ 'prio.high': 40, 'prio.normal': 10 });
    expect(topicsOf(await fetch(50))).toEqual({ 'prio.high': 40, 'prio.normal': 10 });
    // High has 20 left: the rest of the fetch goes down the order.
    expect(topicsOf(await fetch(100))).toEqual({ 'prio.high': 20, 'prio.normal': 80 });
    expect(topicsOf(await fetch(100))).toEqual({ 'prio.low': 100 });
    expect((await log.shares.describe(group)).config).toMatchObject({
      topicPriority: ['prio.high', 'prio.normal', 'prio.low'],
      lowerPriorityShare: 0.2,
      maxRecordsPerSecond: null,
    });
  });

  it('gives the reserve back to the top topic when lower ones are empty', async () => {
    const { fetch } = await setUp(
      'prio-empty',
      { high: 100, low: 0 },
      { topicPriority: ['prio-empty.high', 'prio-empty.low'] },
    );
    expect(topicsOf(await fetch(30))).toEqual({ 'prio-empty.high': 30 });
  });

  it('hands out no more than maxRecordsPerSecond over 10 s, shared by all members', async () => {
    const { group, fetch } = await setUp('rate', { jobs: 5_000 }, { maxRecordsPerSecond: 50 });
    const other = (await log.shares.join(group, { topics: ['rate.jobs'] })).memberId;
    let handed = 0;
    for (let step = 0; step < 100; step++) {
      log.clock.advance(100);
      handed += (await fetch(100)).length;
      handed += (await log.shareFetch.fetch(group, other, { maxRecords: 100, maxWaitMs: 0, acks: [] })).records.length;
    }
    expect(handed).toBeGreaterThanOrEqual(450);
    expect(handed).toBeLessThanOrEqual(550);
  });

  it('makes a waiting fetch wait for the next token rather than answer empty', async () => {
    const { fetch, group } = await setUp('rate-wait', { jobs: 100 }, { maxRecordsPerSecond: 10 });
    expect(await fetch(100)).toHaveLength(1);
    const { memberId } = await log.shares.join(group, { topics: ['rate-wait.jobs'] });
    const waiting = log.shareFetch.fetch(group, memberId, { maxRecords: 100, maxWaitMs: 5_000, acks: [] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    log.clock.advance(100);
    expect((await waiting).records).toHaveLength(1);
  });

  it('clears the rate limit with null', async () => {
    const { group, fetch } = await setUp('rate-clear', { jobs: 100 }, { maxRecordsPerSecond: 1 });
    expect(await fetch(100)).toHaveLength(1);
    await log.shares.updateConfig(group, { maxRecordsPerSecond: null });
    expect(await fetch(100)).toHaveLength(99);
  });
});
