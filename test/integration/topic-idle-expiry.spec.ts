import { ErrorCode } from '@shoal/protocol';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

/** Topics with `deleteAfterIdleMs` (a dead client's reply topic, say) go once unused that long. */
describe.each(STORAGE_KINDS)('topic idle expiry on %s', (kind) => {
  const IDLE = 60_000;
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  const exists = (topic: string) =>
    log.topics.describe(topic).then(
      () => true,
      (error: { code?: string }) => {
        if (error.code === ErrorCode.UnknownTopic) return false;
        throw error;
      },
    );
  /** Moves the clock to `at` and runs the idle sweep as the retention timer does; answers what went. */
  const sweepAt = (at: number) => {
    log.clock.set(at);
    return log.retention.expireIdleTopics(at);
  };

  it('deletes a topic nobody used for deleteAfterIdleMs after its creation, not a moment before', async () => {
    const t0 = log.clock.now();
    await log.topics.create('idle-new', 1, { deleteAfterIdleMs: IDLE });
    await log.topics.create('idle-never', 1, undefined);
    expect((await log.topics.describe('idle-new')).config).toEqual({
      retentionMs: null,
      retentionBytes: null,
      deleteAfterIdleMs: IDLE,
    });
    expect(await sweepAt(t0 + IDLE - 1)).not.toContain('idle-new');
    expect(await exists('idle-new')).toBe(true);
    expect(await sweepAt(t0 + IDLE)).toContain('idle-new');
    expect(await exists('idle-new')).toBe(false);
    expect(await exists('idle-never')).toBe(true);
    await expect(log.produce('idle-new', [{ value: 1 }])).rejects.toMatchObject({ code: ErrorCode.UnknownTopic });
  });

  it('counts a produce and a read by offset (a long poll too) as uses', async () => {
    const t0 = log.clock.now();
    await log.topics.create('idle-used', 1, { deleteAfterIdleMs: IDLE });
    log.clock.set(t0 + 40_000);
    await log.produce('idle-used', [{ value: 'a' }]);
    expect(await sweepAt(t0 + 90_000)).not.toContain('idle-used'); // 50 s after the produce
    await log.reader.read('idle-used', 0, { offset: 0, maxRecords: 10, maxWaitMs: 0 });
    expect(await sweepAt(t0 + 140_000)).not.toContain('idle-used'); // 50 s after the read
    const poll = log.reader.read('idle-used', 0, { offset: 1, maxRecords: 10, maxWaitMs: 30_000 });
    log.clock.set(t0 + 170_000);
    await log.produce('idle-used', [{ value: 'b' }]); // answers the long poll
    expect((await poll).records.map((r) => r.value)).toEqual(['b']);
    expect(await sweepAt(t0 + 170_000 + IDLE - 1)).not.toContain('idle-used');
    expect(await sweepAt(t0 + 170_000 + IDLE)).toContain('idle-used');
  });

  it('starts counting when the setting is added later, and stops when it is cleared', async () => {
    const t0 = log.clock.now();
    await log.topics.create('idle-later', 1, undefined);
    await log.topics.create('idle-cleared', 1, { deleteAfterIdleMs: IDLE });
    log.clock.set(t0 + 10 * IDLE); // long unused, but no setting yet
    await log.topics.update('idle-later', { config: { deleteAfterIdleMs: IDLE } });
    await log.topics.update('idle-cleared', { config: { deleteAfterIdleMs: null } });
    expect((await log.topics.describe('idle-cleared')).config).toEqual({ retentionMs: null, retentionBytes: null });
    expect(await sweepAt(t0 + 11 * IDLE - 1)).toEqual([]);
    expect(await sweepAt(t0 + 11 * IDLE)).toEqual(['idle-later']);
    expect(await sweepAt(t0 + 100 * IDLE)).not.toContain('idle-cleared');
    expect(await exists('idle-cleared')).toBe(true);
  });

  it('keeps a topic that a share group or a consumer group reads, however long unused', async () => {
    const t0 = log.clock.now();
    await log.topics.create('idle-shared', 1, { deleteAfterIdleMs: IDLE });
    await log.topics.create('idle-consumed', 1, { deleteAfterIdleMs: IDLE });
    await log.produce('idle-shared', [{ value: 1 }]);
    await log.produce('idle-consumed', [{ value: 1 }]);
    await log.shares.updateConfig('idle-workers', { autoOffsetReset: 'earliest' });
    const { memberId } = await log.shares.join('idle-workers', { topics: ['idle-shared'], sessionTimeoutMs: 60_000 });
    await log.shareFetch.fetch('idle-workers', memberId, { maxRecords: 1, maxWaitMs: 0, acks: [] });
    const member = await log.groups.join('idle-audit', { topics: ['idle-consumed'] });
    await log.groups.commit('idle-audit', member.memberId, member.generation, [
      { topic: 'idle-consumed', partition: 0, offset: 1 },
    ]);
    expect(await sweepAt(t0 + 100 * IDLE)).toEqual([]);
    expect(await exists('idle-shared')).toBe(true);
    expect(await exists('idle-consumed')).toBe(true);
  });
});
