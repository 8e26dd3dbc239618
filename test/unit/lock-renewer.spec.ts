import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Acknowledgement, AcquiredRecord, AckResult } from '@shoal/protocol';
import { LockRenewer } from '../../libs/transport/src/server/lock-renewer.js';

const logger = new Logger('test');

function record(offset: number, lockExpiresAt: number): AcquiredRecord {
  return {
    topic: 't',
    partition: 0,
    offset,
    key: null,
    value: offset,
    headers: {},
    timestamp: 0,
    deliveryCount: 1,
    lockExpiresAt,
  };
}

describe(LockRenewer.name, () => {
  let sent: Acknowledgement[][];
  let refuse: Set<number>;
  let renewer: LockRenewer;

  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    sent = [];
    refuse = new Set();
    const send = async (acks: Acknowledgement[]): Promise<AckResult[]> => {
      sent.push(acks);
      return acks.map(({ topic, partition, offset }) => ({
        topic,
        partition,
        offset,
        error: refuse.has(offset) ? 'INVALID_RECORD_STATE' : null,
      }));
    };
    renewer = new LockRenewer(send, logger);
  });
  afterEach(() => {
    renewer.stop();
    jest.useRealTimers();
  });

  it('renews every held lock in one request once half the lock has run, and again before the new lock runs out', async () => {
    for (let offset = 0; offset < 100; offset++) renewer.track(record(offset, 30_000), 0);
    await jest.advanceTimersByTimeAsync(14_999);
    expect(sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(100);
    expect(sent[0].every((a) => a.type === 'renew')).toBe(true);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(sent).toHaveLength(2);
  });

  it('renews a settled record no more', async () => {
    renewer.track(record(1, 10_000), 0);
    renewer.track(record(2, 10_000), 0);
    renewer.untrack(record(1, 0));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual([[{ topic: 't', partition: 0, offset: 2, type: 'renew' }]]);
    renewer.untrack(record(2, 0));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(1);
  });

  it('gathers locks close behind into the same request', async () => {
    renewer.track(record(1, 10_000), 0);
    renewer.track(record(2, 10_500), 0); // due 250 ms later: within the batching window
    renewer.track(record(3, 26_000), 0); // due at 13 s: its own request
    await jest.advanceTimersByTimeAsync(5_000);
    expect(sent.map((acks) => acks.map((a) => a.offset))).toEqual([[1, 2]]);
    await jest.advanceTimersByTimeAsync(8_000);
    expect(sent.map((acks) => acks.map((a) => a.offset))).toEqual([[1, 2], [1, 2], [3]]);
  });

  it('stops tracking a lock the broker refuses to renew', async () => {
    refuse.add(1);
    renewer.track(record(1, 10_000), 0);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(renewer.size).toBe(0);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(1);
  });

  it('keeps one lock per record across topics and partitions, and renews the one a record holds now', async () => {
    const at = (topic: string, partition: number, offset: number, lockExpiresAt: number) => ({
      ...record(offset, lockExpiresAt),
      topic,
      partition,
    });
    renewer.track(at('a', 0, 7, 10_000), 0);
    renewer.track(at('a', 1, 7, 10_000), 0);
    renewer.track(at('b', 0, 7, 10_000), 0);
    renewer.track(at('a', 0, 7, 40_000), 0); // the same record again (delivered again): its newer lock
    expect(renewer.size).toBe(3);
    renewer.untrack({ topic: 'a', partition: 1, offset: 7 });
    renewer.untrack({ topic: 'c', partition: 0, offset: 7 }); // never tracked
    expect(renewer.size).toBe(2);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual([[{ topic: 'b', partition: 0, offset: 7, type: 'renew' }]]);
    renewer.untrack({ topic: 'b', partition: 0, offset: 7 });
    await jest.advanceTimersByTimeAsync(15_000); // half of the newer 40 s lock
    expect(sent).toEqual([
      [{ topic: 'b', partition: 0, offset: 7, type: 'renew' }],
      [{ topic: 'a', partition: 0, offset: 7, type: 'renew' }],
    ]);
    renewer.untrack({ topic: 'a', partition: 0, offset: 7 });
    expect(renewer.size).toBe(0);
  });
});
