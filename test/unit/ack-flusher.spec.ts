import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ShoalConnectionError } from '@shoal/client';
import type { Acknowledgement, AckResult } from '@shoal/protocol';
import { AckFlusher } from '../../libs/transport/src/server/ack-flusher.js';

const ack = (offset: number): Acknowledgement => ({ topic: 't', partition: 0, offset, type: 'accept' });
const ok = (acks: Acknowledgement[]): AckResult[] =>
  acks.map(({ topic, partition, offset }) => ({ topic, partition, offset, error: null }));
const logger = new Logger('test');

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
    flusher.add(ack(2));
    expect(sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(50);
    // Both leave together, 200 ms after the first was settled.
    expect(sent).toEqual([[ack(1), ack(2)]]);
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
    const sent: Acknowledgement[][] = [];
    let reachable = false;
    const flusher = new AckFlusher(
      async (acks) => {
        if (!reachable)
          throw new ShoalConnectionError('http://broker', 'POST /acks', false, 1, new Error('ECONNREFUSED'));
        sent.push(acks);
        return ok(acks);
      },
      200,
      logger,
    );
    flusher.add(ack(1));
    await jest.advanceTimersByTimeAsync(200);
    expect(flusher.size).toBe(1);
    reachable = true;
    flusher.add(ack(2));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([[ack(1), ack(2)]]);
  });

  it('puts back the acknowledgements of a failed fetch ahead of newer ones', () => {
    const flusher = new AckFlusher(async (acks) => ok(acks), 200, logger);
    flusher.add(ack(3));
    flusher.restore([ack(1), ack(2)]);
    expect(flusher.take().map((a) => a.offset)).toEqual([1, 2, 3]);
  });
});
