import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ShoalApiError, ShoalConnectionError } from '@shoal/client';
import type { Acknowledgement, AckResult, ProducingAcknowledgement } from '@shoal/protocol';
import { AckFlusher } from '../../libs/transport/src/server/ack-flusher.js';

const ack = (offset: number): Acknowledgement => ({ topic: 't', partition: 0, offset, type: 'accept' });
const release = (offset: number): Acknowledgement => ({ topic: 't', partition: 0, offset, type: 'release' });
const ok = (acks: Acknowledgement[]): AckResult[] =>
  acks.map(({ topic, partition, offset }) => ({ topic, partition, offset, error: null }));
const logger = new Logger('test');

/** A flusher whose sends throw what `failure` gives while it gives something, then succeed; `sent` has what got through. */
function failingUntil(failure: () => unknown): { flusher: AckFlusher; sent: Acknowledgement[][] } {
  const sent: Acknowledgement[][] = [];
  const flusher = new AckFlusher(
    async (acks) => {
      const error = failure();
      if (error) throw error;
      sent.push(acks);
      return ok(acks);
    },
    200,
    logger,
  );
  return { flusher, sent };
}

describe(AckFlusher.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.useRealTimers());

  it('sends an acknowledgement on its own once the delay runs out, whatever else the worker does', async () => {
    const sent: Acknowledgement[][] = [];
    const flusher = new AckFlusher(async (acks) => (sent.push(acks), ok(acks)), 200, logger);
    flusher.add(ack(1));
    await jest.advanceTimersByTimeAsync(150);
    flusher.add(ack(3));
    expect(sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(50);
    // Both leave together, 200 ms after the first was settled.
    expect(sent).toEqual([[ack(1), ack(3)]]);
    expect(flusher.size).toBe(0);
  });

  it('hands waiting acknowledgements to a fetch instead, and then sends nothing itself', async () => {
    const sent: Acknowledgement[][] = [];
    const flusher = new AckFlusher(async (acks) => (sent.push(acks), ok(acks)), 200, logger);
    flusher.add(ack(1));
    expect(flusher.take()).toEqual([ack(1)]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([]);
  });

  it('keeps acknowledgements the broker could not be reached for, and sends them again first', async () => {
    let reachable = false;
    const { flusher, sent } = failingUntil(() =>
      reachable
        ? undefined
        : new ShoalConnectionError('http://broker', 'POST /acks', false, 1, new Error('ECONNREFUSED')),
    );
    flusher.add(ack(1));
    await jest.advanceTimersByTimeAsync(200);
    expect(flusher.size).toBe(1);
    reachable = true;
    flusher.add(ack(3));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([[ack(1), ack(3)]]);
  });

  it('puts back the acknowledgements of a failed fetch ahead of newer ones', () => {
    const flusher = new AckFlusher(async (acks) => ok(acks), 200, logger);
    flusher.add(release(3));
    flusher.restore([release(1), release(2)]);
    expect(flusher.take().map((a) => a.offset)).toEqual([1, 2, 3]);
  });

  it('sends runs of accepts of consecutive offsets of one partition as one range, other outcomes one by one', () => {
    const flusher = new AckFlusher(async (acks) => ok(acks), 200, logger);
    for (const offset of [7, 5, 6, 9, 10]) flusher.add(ack(offset));
    flusher.add({ topic: 't', partition: 1, offset: 5, type: 'accept' });
    flusher.add({ topic: 'u', partition: 0, offset: 6, type: 'accept' });
    flusher.add(release(8));
    flusher.add({ topic: 't', partition: 0, offset: 11, type: 'reject', reason: 'bad' });
    expect(flusher.take()).toEqual([
      release(8),
      { topic: 't', partition: 0, offset: 11, type: 'reject', reason: 'bad' },
      { topic: 't', partition: 0, offset: 5, lastOffset: 7, type: 'accept' },
      { topic: 't', partition: 0, offset: 9, lastOffset: 10, type: 'accept' },
      { topic: 't', partition: 1, offset: 5, type: 'accept' },
      { topic: 'u', partition: 0, offset: 6, type: 'accept' },
    ]);
  });

  it('sends a refused range again offset by offset, so the records still held are accepted', async () => {
    const sent: Acknowledgement[][] = [];
    // The broker no longer holds offset 2 for this worker: a range over it applies to none.
    const held = new Set([1, 3]);
    const answer = (a: Acknowledgement): AckResult => {
      const offsets = Array.from({ length: (a.lastOffset ?? a.offset) - a.offset + 1 }, (_, i) => a.offset + i);
      const error = offsets.every((o) => held.has(o)) ? null : 'INVALID_RECORD_STATE';
      if (error === null) for (const o of offsets) held.delete(o);
      return { topic: a.topic, partition: a.partition, offset: a.offset, lastOffset: a.lastOffset, error };
    };
    const flusher = new AckFlusher(async (acks) => (sent.push(acks), acks.map(answer)), 200, logger);
    for (const offset of [1, 2, 3]) flusher.add(ack(offset));
    await jest.advanceTimersByTimeAsync(200);
    expect(sent[0]).toEqual([{ ...ack(1), lastOffset: 3 }]);
    // At once, not after another delay.
    await jest.advanceTimersByTimeAsync(1);
    expect(sent[1]).toEqual([1, 2, 3].map((offset) => ({ ...ack(offset), lastOffset: offset })));
    expect(held).toEqual(new Set());
    // Only the single refusal is reported, not the range.
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('1 acknowledgements refused'));
    expect(sent).toHaveLength(2);
  });

  it('sends a request the broker refused as a whole again entry by entry, and drops only the refused entry', async () => {
    const sent: Acknowledgement[][] = [];
    const bad: Acknowledgement = { ...release(2), delayMs: 2 * 86_400_000 };
    jest.mocked(logger.error).mockClear();
    const flusher = new AckFlusher(
      async (acks) => {
        sent.push(acks);
        if (acks.some((a) => a.delayMs !== undefined && a.delayMs > 86_400_000))
          throw new ShoalApiError(400, 'INVALID_REQUEST', 'delayMs goes with release only, from 0 to 86400000');
        return ok(acks);
      },
      200,
      logger,
    );
    flusher.add(release(1));
    flusher.add(bad);
    flusher.add(release(3));
    await jest.advanceTimersByTimeAsync(200);
    expect(sent).toEqual([[release(1), bad, release(3)], [release(1)], [bad], [release(3)]]);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('release of t/0@2 refused by the broker, dropped'),
    );
    // Nothing is kept to be sent again.
    await jest.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(4);
    expect(flusher.size).toBe(0);
  });

  it('keeps acknowledgements answered 503 (the broker’s database is down), logging the outage once', async () => {
    jest.mocked(logger.error).mockClear();
    const log = jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    let down = true;
    const { flusher, sent } = failingUntil(() =>
      down ? new ShoalApiError(503, 'STORAGE_UNAVAILABLE', 'database down', 1_000) : undefined,
    );
    flusher.add(ack(1));
    await jest.advanceTimersByTimeAsync(20_000);
    expect(flusher.size).toBe(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
    down = false;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(sent).toEqual([[ack(1)]]);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('sending acknowledgements works again'));
  });

  it('sends an acknowledgement carrying a reply at once, on its own; without the reply if its topic is gone', async () => {
    const reply = { topic: 'replies', records: [{ value: { response: 6, isDisposed: true } }] };
    const chained = { topic: 'next', records: [{ value: 1 }] };
    const replying: ProducingAcknowledgement = { ...ack(4), produce: [chained, reply] };
    const { flusher, sent } = failingUntil(() => undefined);
    let tries = 0;
    const gone = failingUntil(() =>
      tries++ === 0 ? new ShoalApiError(404, 'UNKNOWN_TOPIC', 'topic replies does not exist') : undefined,
    );
    flusher.add(ack(1));
    flusher.sendNow(replying, 'replies');
    gone.flusher.sendNow(replying, 'replies');
    await jest.advanceTimersByTimeAsync(0);
    // Ahead of the one waiting for its delay, which it does not take along.
    expect(sent).toEqual([[replying]]);
    expect(flusher.size).toBe(1);
    // The caller closed: the accept goes with what else it produces, in the usual delay.
    expect(gone.sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(200);
    expect(gone.sent).toEqual([[{ ...ack(4), produce: [chained] }]]);
  });

  it('keeps an acknowledgement carrying a reply that could not be sent, and waits for it before a final flush', async () => {
    let reachable = false;
    const replying: ProducingAcknowledgement = { ...ack(2), produce: [{ topic: 'replies', records: [{ value: 6 }] }] };
    const { flusher, sent } = failingUntil(() =>
      reachable
        ? undefined
        : new ShoalConnectionError('http://broker', 'POST /acks', false, 1, new Error('ECONNREFUSED')),
    );
    flusher.sendNow(replying, 'replies');
    await jest.advanceTimersByTimeAsync(0);
    expect(flusher.size).toBe(1);
    reachable = true;
    await flusher.flush();
    expect(sent).toEqual([[replying]]);
  });
});
