import { ErrorCode } from '@shoal/protocol';
import { parseDatabaseUrl } from '../../src/config/shoal-config.js';
import { byteRetentionCut } from '../../src/log/domain/retention.js';
import { searchFirstAtOrAfter } from '../../src/log/domain/time-search.js';
import { assertPartitionGrowth, mergeTopicConfig } from '../../src/log/domain/topic-rules.js';

describe('topic rules', () => {
  it('lets partitions stay or grow but never shrink', () => {
    expect(() => assertPartitionGrowth(3, 3)).not.toThrow();
    expect(() => assertPartitionGrowth(3, 5)).not.toThrow();
    expect(() => assertPartitionGrowth(3, 2)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidPartitions }));
    // The range (1 to 10,000) is checked at the HTTP edge: topics.e2e.spec.ts.
  });

  it('merges config changes: a given field replaces, null clears, others stay', () => {
    const current = { retentionMs: 1000, retentionBytes: 500 };
    expect(mergeTopicConfig(current, { retentionBytes: null })).toEqual({ retentionMs: 1000, retentionBytes: null });
    expect(mergeTopicConfig(current, undefined)).toBe(current);
    expect(mergeTopicConfig(current, { retentionMs: 60_000 })).toEqual({ retentionMs: 60_000, retentionBytes: 500 });
    // Bad values (0, unknown fields) are refused at the HTTP edge: topics.e2e.spec.ts.
  });
});

describe(byteRetentionCut.name, () => {
  const sizes = [
    { offset: 10, size: 100 },
    { offset: 11, size: 100 },
    { offset: 12, size: 100 },
  ];

  it('cuts just past the record that removes enough bytes', () => {
    expect(byteRetentionCut(sizes, 150, 0)).toEqual({ cut: 12, removed: 200 });
    expect(byteRetentionCut(sizes, 100, 0)).toEqual({ cut: 11, removed: 100 });
  });

  it('answers null when the page runs out first, carrying the running total', () => {
    expect(byteRetentionCut(sizes, 1000, 50)).toEqual({ cut: null, removed: 350 });
  });
});

describe(parseDatabaseUrl.name, () => {
  it('reads sqlite paths and postgres URLs', () => {
    expect(parseDatabaseUrl('sqlite:./data/shoal.db')).toMatchObject({ kind: 'sqlite', path: './data/shoal.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/shoal.db')).toMatchObject({ kind: 'sqlite', path: '/var/lib/shoal.db' });
    expect(parseDatabaseUrl('postgres://u:p@h:5432/db')).toMatchObject({ kind: 'postgres' });
    expect(() => parseDatabaseUrl('mysql://x')).toThrow();
  });
});

describe(searchFirstAtOrAfter.name, () => {
  // Running maxima of timestamps [100, 300, 200, 500, 400] at offsets 10..14.
  const runningMax = new Map([
    [10, 100],
    [11, 300],
    [12, 300],
    [13, 500],
    [14, 500],
  ]);
  const probe = async (offset: number) => runningMax.get(offset) ?? null;

  it.each([
    [0, 10],
    [100, 10],
    [101, 11],
    [300, 11],
    [301, 13],
    [500, 13],
    [501, 15],
  ])('finds the first offset at or after %d', async (timestamp, expected) => {
    expect(await searchFirstAtOrAfter(10, 15, timestamp, probe)).toBe(expected);
  });

  it('treats offsets no longer stored as older', async () => {
    const trimmed = async (offset: number) => (offset < 12 ? null : (runningMax.get(offset) ?? null));
    expect(await searchFirstAtOrAfter(10, 15, 0, trimmed)).toBe(12);
  });
});
