import { publicMemberId } from '../../src/security/domain/member-id.js';
import { ChangeSignal } from '../../src/platform/change-signal.js';
import { ConsumerFetchService } from '../../src/consumer-groups/consumer-fetch.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';
import { until } from '../support/until.js';

describe.each(STORAGE_KINDS)(`${ConsumerFetchService.name} and commits on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind);
  });
  afterAll(() => log.close());

  /** Until a long poll has made its first read (and so renewed its member) and waits for a change. */
  const untilWaiting = () => until(() => log.service(ChangeSignal).waiters > 0, 10_000);

  const fetch = (group: string, member: string, maxRecords = 500) =>
    log.consumerFetch.fetch(group, member, { maxRecords, maxWaitMs: 0 });

  it('fences a stale member’s commit and a commit of a partition it no longer holds', async () => {
    await log.topics.create('fence', 2, undefined);
    const a = await log.groups.join('g-fence', { topics: ['fence'], autoOffsetReset: 'earliest' });
    await log.groups.commit('g-fence', a.memberId, a.generation, [{ topic: 'fence', partition: 0, offset: 0 }]);
    const b = await log.groups.join('g-fence', { topics: ['fence'] });
    const beat = await log.groups.heartbeat('g-fence', a.memberId);
    expect(beat.generation).toBe(b.generation);
    const lost = [0, 1].find((p) => !beat.assignment.some((x) => x.partition === p))!;
    await expect(
      log.groups.commit('g-fence', a.memberId, a.generation, [
        { topic: 'fence', partition: beat.assignment[0].partition, offset: 0 },
      ]),
    ).rejects.toMatchObject({
      code: 'FENCED',
    });
    await expect(
      log.groups.commit('g-fence', a.memberId, beat.generation, [{ topic: 'fence', partition: lost, offset: 0 }]),
    ).rejects.toMatchObject({ code: 'FENCED' });
    await expect(
      log.groups.commit('g-fence', 'nobody', beat.generation, [{ topic: 'fence', partition: 0, offset: 0 }]),
    ).rejects.toMatchObject({ code: 'FENCED' });
    await expect(
      log.groups.commit('g-fence', a.memberId, beat.generation, [{ topic: 'fence', partition: 9, offset: 0 }]),
    ).rejects.toMatchObject({ code: 'FENCED' });
    await log.groups.commit('g-fence', a.memberId, beat.generation, [
      { topic: 'fence', partition: beat.assignment[0].partition, offset: 0 },
    ]);
  });

  it('resumes a left member’s partitions at the committed offset, skipping nothing', async () => {
    await log.topics.create('resume', 1, undefined);
    await log.produce(
      'resume',
      Array.from({ length: 10 }, (_, i) => ({ value: i })),
    );
    const a = await log.groups.join('g-resume', { topics: ['resume'], autoOffsetReset: 'earliest' });
    const first = await fetch('g-resume', a.memberId, 6);
    expect(first.records.map((r) => r.value)).toEqual([0, 1, 2, 3, 4, 5]);
    await log.groups.commit('g-resume', a.memberId, first.generation, [{ topic: 'resume', partition: 0, offset: 4 }]);
    const b = await log.groups.join('g-resume', { topics: ['resume'] });
    await log.groups.leave('g-resume', a.memberId);
    const beat = await log.groups.heartbeat('g-resume', b.memberId);
    expect(beat.assignment).toEqual([{ topic: 'resume', partition: 0 }]);
    const second = await fetch('g-resume', b.memberId);
    expect(second.records.map((r) => r.value)).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it('continues from the stored position on every fetch, and starts at the end with "latest"', async () => {
    await log.topics.create('positions', 1, undefined);
    await log.produce('positions', [{ value: 'old' }]);
    const a = await log.groups.join('g-positions', { topics: ['positions'] });
    expect((await fetch('g-positions', a.memberId)).records).toEqual([]);
    await log.produce('positions', [{ value: 'new-1' }, { value: 'new-2' }]);
    expect((await fetch('g-positions', a.memberId, 1)).records.map((r) => r.value)).toEqual(['new-1']);
    expect((await fetch('g-positions', a.memberId, 1)).records.map((r) => r.value)).toEqual(['new-2']);
  });

  it('reports lag as endOffset − committedOffset, from the start offset when nothing is committed', async () => {
    await log.topics.create('lagging', 2, undefined);
    await log.produce(
      'lagging',
      [0, 0, 0, 1, 1].map((partition) => ({ value: 'x', partition })),
    );
    const a = await log.groups.join('g-lag', { topics: ['lagging'], autoOffsetReset: 'earliest' });
    await log.groups.commit('g-lag', a.memberId, a.generation, [{ topic: 'lagging', partition: 0, offset: 1 }]);
    const described = await log.groups.describe('g-lag');
    expect(described.offsets).toEqual([
      { topic: 'lagging', partition: 0, committedOffset: 1, endOffset: 3, lag: 2 },
      { topic: 'lagging', partition: 1, committedOffset: null, endOffset: 2, lag: 2 },
    ]);
    expect(described.members).toEqual([{ memberId: publicMemberId(a.memberId), assignment: a.assignment }]);
  });

  it('resets and deletes only an empty group', async () => {
    await log.topics.create('resettable', 2, undefined);
    await log.produce(
      'resettable',
      [0, 0, 0, 1].map((partition) => ({ value: 'x', partition, timestamp: 1000 * (partition + 1) })),
    );
    const a = await log.groups.join('g-reset', { topics: ['resettable'] });
    await expect(log.groups.resetOffsets('g-reset', 'resettable', undefined, 'earliest')).rejects.toMatchObject({
      code: 'GROUP_NOT_EMPTY',
    });
    await expect(log.groups.delete('g-reset')).rejects.toMatchObject({ code: 'GROUP_NOT_EMPTY' });
    await log.groups.leave('g-reset', a.memberId);

    await log.groups.resetOffsets('g-reset', 'resettable', undefined, 'latest');
    expect((await log.groups.describe('g-reset')).offsets.map((o) => o.committedOffset)).toEqual([3, 1]);
    await log.groups.resetOffsets('g-reset', 'resettable', 0, { offset: 1 });
    await log.groups.resetOffsets('g-reset', 'resettable', 1, { timestamp: 0 });
    expect((await log.groups.describe('g-reset')).offsets.map((o) => o.committedOffset)).toEqual([1, 0]);
    // 2 is past partition 1's end: nothing changes on either partition.
    await expect(log.groups.resetOffsets('g-reset', 'resettable', undefined, { offset: 2 })).rejects.toMatchObject({
      code: 'OFFSET_OUT_OF_RANGE',
    });
    await expect(log.groups.resetOffsets('g-reset', 'resettable', 5, 'earliest')).rejects.toMatchObject({
      code: 'UNKNOWN_PARTITION',
    });
    expect((await log.groups.describe('g-reset')).offsets.map((o) => o.committedOffset)).toEqual([1, 0]);

    // The next member starts where the reset put the group.
    const b = await log.groups.join('g-reset', { topics: ['resettable'] });
    const records = await fetch('g-reset', b.memberId);
    expect(records.records.map((r) => [r.partition, r.offset])).toEqual(
      expect.arrayContaining([
        [0, 1],
        [0, 2],
        [1, 0],
      ]),
    );
    await log.groups.leave('g-reset', b.memberId);

    await log.groups.delete('g-reset');
    await expect(log.groups.describe('g-reset')).rejects.toMatchObject({ code: 'UNKNOWN_GROUP' });
  });

  it('answers a waiting fetch as soon as a record arrives, and when the assignment changes', async () => {
    await log.topics.create('waiting', 2, undefined);
    const a = await log.groups.join('g-wait', { topics: ['waiting'] });
    const started = Date.now();
    const waiting = log.consumerFetch.fetch('g-wait', a.memberId, { maxRecords: 10, maxWaitMs: 20_000 });
    await untilWaiting();
    await log.produce('waiting', [{ value: 'hello', partition: 1 }]);
    expect((await waiting).records.map((r) => r.value)).toEqual(['hello']);

    const waitingAgain = log.consumerFetch.fetch('g-wait', a.memberId, { maxRecords: 10, maxWaitMs: 20_000 });
    await untilWaiting();
    const b = await log.groups.join('g-wait', { topics: ['waiting'] });
    const answer = await waitingAgain;
    expect(answer.generation).toBe(b.generation);
    expect(answer.assignment).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps a member with a fetch in progress alive past its session timeout', async () => {
    await log.topics.create('alive', 1, undefined);
    const a = await log.groups.join('g-alive', { topics: ['alive'], sessionTimeoutMs: 1_000 });
    const waiting = log.consumerFetch.fetch('g-alive', a.memberId, { maxRecords: 10, maxWaitMs: 1_000 });
    await Promise.race([untilWaiting(), waiting]);
    log.clock.advance(1_200); // past the session, within session + wait
    expect(await log.groups.sweep(log.clock.now())).toBe(0);
    await waiting;
    log.clock.advance(5_000);
    expect(await log.groups.sweep(log.clock.now())).toBe(1);
  });
});
