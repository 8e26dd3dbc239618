import type { AcquiredRecord } from '@shoal/protocol';
import { acquiredRecordOf } from '../../src/share-groups/http/acquired-records.json.js';
import { DEFAULT_SECURITY } from '../../src/config/shoal-config.js';
import { ShareFetchService } from '../../src/share-groups/share-fetch.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

/** A fetch answer's record bytes are capped at 10,000: ten records of 1,000 bytes. */
const MAX_RESPONSE_BYTES = 10_000;

describe.each(STORAGE_KINDS)(`${ShareFetchService.name} byte budget on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_800_000_000_000, undefined, {
      security: { ...DEFAULT_SECURITY, maxResponseBytes: MAX_RESPONSE_BYTES },
    });
  });
  afterAll(() => log.close());

  /** A record whose stored size is exactly `bytes`: raw bytes, no key, no headers. */
  const sized = (bytes: number, partition = 0) => ({
    valueBase64: Buffer.alloc(bytes, 7).toString('base64'),
    partition,
  });

  async function setUp(prefix: string, partitions: number, records: { valueBase64: string; partition: number }[]) {
    const topic = `${prefix}.jobs`;
    await log.topics.create(topic, partitions, undefined);
    await log.produce(topic, records);
    const group = `${prefix}-workers`;
    await log.shares.updateConfig(group, { autoOffsetReset: 'earliest' });
    const { memberId } = await log.shares.join(group, { topics: [topic] });
    const fetch = async () =>
      (await log.shareFetch.fetch(group, memberId, { maxRecords: 100, maxWaitMs: 0, acks: [] })).records.map(
        acquiredRecordOf,
      );
    const acquired = async () => (await log.shares.describe(group)).partitions.reduce((sum, p) => sum + p.acquired, 0);
    return { topic, group, memberId, fetch, acquired };
  }

  const offsets = (records: AcquiredRecord[]) => records.map((r) => `${r.partition}:${r.offset}`);

  it('acquires only as many records as fit; the rest stay available for the next fetch', async () => {
    const { topic, group, memberId, fetch, acquired } = await setUp(
      'budget-fit',
      1,
      Array.from({ length: 25 }, () => sized(1_000)),
    );
    const first = await fetch();
    expect(offsets(first)).toEqual(Array.from({ length: 10 }, (_, i) => `0:${i}`));
    expect(await acquired()).toBe(10);
    expect(offsets(await fetch())).toEqual(Array.from({ length: 10 }, (_, i) => `0:${i + 10}`));
    expect(await acquired()).toBe(20);

    // Redelivered records count too: five released ones and five new ones fill the next answer.
    const releases = [0, 1, 2, 3, 4].map((offset) => ({ topic, partition: 0, offset, type: 'release' as const }));
    expect((await log.shareFetch.acknowledge(group, memberId, releases)).every((r) => r.error === null)).toBe(true);
    const mixed = await fetch();
    expect(offsets(mixed)).toEqual([0, 1, 2, 3, 4, 20, 21, 22, 23, 24].map((o) => `0:${o}`));
    expect(mixed.slice(0, 5).every((r) => r.deliveryCount === 2)).toBe(true);
    expect(await acquired()).toBe(25);
    expect(await fetch()).toEqual([]);
  });

  it('hands out a first record larger than the cap alone', async () => {
    const { fetch, acquired } = await setUp('budget-large', 1, [sized(25_000), sized(1_000), sized(1_000)]);
    const first = await fetch();
    expect(offsets(first)).toEqual(['0:0']);
    expect(Buffer.from(first[0].valueBase64!, 'base64').length).toBe(25_000);
    expect(await acquired()).toBe(1);
    expect(offsets(await fetch())).toEqual(['0:1', '0:2']);
    expect(await acquired()).toBe(3);
  });

  it('shares one budget across the partitions a fetch fills from', async () => {
    const { fetch, acquired } = await setUp('budget-spread', 2, [
      ...Array.from({ length: 8 }, () => sized(1_000, 0)),
      ...Array.from({ length: 8 }, () => sized(1_000, 1)),
    ]);
    const first = await fetch();
    expect(first).toHaveLength(10);
    expect(new Set(first.map((r) => r.partition))).toEqual(new Set([0, 1]));
    expect(await acquired()).toBe(10);
    const second = await fetch();
    expect(second).toHaveLength(6);
    expect(await acquired()).toBe(16);
    expect(new Set(offsets([...first, ...second])).size).toBe(16);
  });
});
