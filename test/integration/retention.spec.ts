import { ErrorCode } from '@shoal/protocol';
import { RetentionService } from '../../src/services/log/retention.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${RetentionService.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  it('removes records older than retentionMs and advances the start offset', async () => {
    await log.topics.create('by-time', 1, { retentionMs: 10_000 });
    await log.produce(
      'by-time',
      [0, 1, 2].map((i) => ({ value: i, timestamp: 1_000_000 + i * 1000 })),
    );
    await log.produce(
      'by-time',
      [3, 4].map((i) => ({ value: i, timestamp: 1_020_000 + i })),
    );

    log.clock.set(1_025_000); // cutoff 1_015_000: the first three are older
    expect(await log.retention.sweep(log.clock.now())).toBe(3);

    const topic = await log.topics.describe('by-time');
    expect(topic.partitions[0]).toEqual({ partition: 0, startOffset: 3, endOffset: 5 });
    const read = await log.reader.read('by-time', 0, { offset: 3, maxRecords: 10, maxWaitMs: 0 });
    expect(read.records.map((r) => r.value)).toEqual([3, 4]);
    await expect(log.reader.read('by-time', 0, { offset: 1, maxRecords: 10, maxWaitMs: 0 })).rejects.toMatchObject({
      code: ErrorCode.OffsetOutOfRange,
    });
    // Idempotent: nothing more to remove at the same time.
    expect(await log.retention.sweep(log.clock.now())).toBe(0);
  });

  it('keeps each partition within retentionBytes, removing the oldest first', async () => {
    await log.topics.create('by-bytes', 2, { retentionBytes: 250 });
    // Each value is the JSON string "xx…x": 100 bytes with its quotes.
    const value = 'x'.repeat(98);
    await log.produce(
      'by-bytes',
      Array.from({ length: 5 }, () => ({ value, partition: 0 })),
    );
    await log.produce(
      'by-bytes',
      Array.from({ length: 2 }, () => ({ value, partition: 1 })),
    );

    await log.retention.sweep(log.clock.now());

    const topic = await log.topics.describe('by-bytes');
    expect(topic.partitions).toEqual([
      { partition: 0, startOffset: 3, endOffset: 5 },
      { partition: 1, startOffset: 0, endOffset: 2 },
    ]);
  });

  it('applies retention set later by a config change', async () => {
    await log.topics.create('later', 1, undefined);
    await log.produce('later', [
      { value: 'old', timestamp: 1 },
      { value: 'new', timestamp: log.clock.now() },
    ]);
    expect(await log.retention.sweep(log.clock.now())).toBe(0);
    await log.topics.update('later', { config: { retentionMs: 60_000 } });
    expect(await log.retention.sweep(log.clock.now())).toBe(1);
    expect((await log.topics.describe('later')).partitions[0].startOffset).toBe(1);
  });
});
