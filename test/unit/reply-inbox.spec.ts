import type { ShoalHttpClient } from '@shoal/client';
import type { ReadResponse, WireRecord } from '@shoal/protocol';
import { ReplyInbox } from '../../libs/transport/src/reply/reply-inbox.js';
import {
  CORRELATION_ID_HEADER,
  REPLY_SEQ_HEADER,
  type ReplyPacket,
} from '../../libs/transport/src/reply/reply-protocol.js';

/** A broker with one reply topic: reads answer what was appended from their offset, or wait for it. */
class FakeBroker {
  readonly log: WireRecord[] = [];
  readonly deleted: string[] = [];
  /** Reads asked for so far. */
  reads = 0;
  /** Each read's `maxWaitMs`, in order. */
  readonly waits: number[] = [];
  private wake: (() => void) | undefined;

  append(id: string, seq: number, packet: ReplyPacket): void {
    const offset = this.log.length;
    this.log.push({
      topic: 'r',
      partition: 0,
      offset,
      key: null,
      value: packet as WireRecord['value'],
      headers: { [CORRELATION_ID_HEADER]: id, [REPLY_SEQ_HEADER]: String(seq) },
      timestamp: 0,
    });
    this.wake?.();
  }

  client(): ShoalHttpClient {
    return {
      createTopic: async ({ name }: { name: string }) => ({ name, config: {}, partitions: [] }),
      deleteTopic: async (name: string) => void this.deleted.push(name),
      read: async (
        _t: string,
        _p: number,
        { offset = 0, maxWaitMs }: { offset?: number; maxWaitMs?: number },
        signal?: AbortSignal,
      ) => {
        this.reads++;
        this.waits.push(maxWaitMs ?? 0);
        while (this.log.length <= offset) {
          if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, 10);
          });
        }
        const records = this.log.slice(offset);
        return { records, nextOffset: this.log.length, startOffset: 0, endOffset: this.log.length } as ReadResponse;
      },
    } as unknown as ShoalHttpClient;
  }
}

const settled = (packets: ReplyPacket[]) => packets.some((p) => p.isDisposed || p.err !== undefined);

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe(ReplyInbox.name, () => {
  let broker: FakeBroker;
  let inbox: ReplyInbox;
  beforeEach(async () => {
    broker = new FakeBroker();
    inbox = new ReplyInbox(broker.client(), { topicPrefix: 'replies', retentionMs: 60_000, idleDeleteMs: 600_000 });
    await inbox.address();
  });
  afterEach(() => inbox.close());
  /** Registers request `id` with no timeout, its replies going to `got`. */
  const collect = (id: string, got: ReplyPacket[]) =>
    inbox.expect(
      id,
      (p) => got.push(p),
      0,
      () => 'never',
    );

  it('hands each reply place to its request once, when the request ran twice', async () => {
    const got: ReplyPacket[] = [];
    inbox.expect(
      'a',
      (p) => got.push(p),
      0,
      () => new Error('timeout'),
    );
    inbox.listen();
    broker.append('a', 0, { response: 1 });
    broker.append('a', 1, { response: 2 });
    await until(() => got.length === 2);
    // Run again after a crash: the same places again, then the last one.
    broker.append('a', 0, { response: 1 });
    broker.append('a', 1, { response: 2 });
    broker.append('a', 2, { response: 3, isDisposed: true });
    broker.append('a', 2, { response: 3, isDisposed: true });
    await until(() => settled(got));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(got).toEqual([{ response: 1 }, { response: 2 }, { response: 3, isDisposed: true }]);
  });

  it("keeps requests' replies apart and drops a reply that comes after its timeout", async () => {
    const late: ReplyPacket[] = [];
    const other: ReplyPacket[] = [];
    inbox.expect(
      'late',
      (p) => late.push(p),
      20,
      () => 'timed out',
    );
    inbox.expect(
      'other',
      (p) => other.push(p),
      0,
      () => 'never',
    );
    inbox.listen();
    await until(() => late.length === 1);
    broker.append('late', 0, { response: 'too late', isDisposed: true });
    broker.append('other', 0, { response: 'mine', isDisposed: true });
    await until(() => other.length === 1);
    expect(late).toEqual([{ err: 'timed out', isDisposed: true }]);
    expect(other).toEqual([{ response: 'mine', isDisposed: true }]);
  });

  it('on close errors the waiting requests and deletes its reply topic', async () => {
    const got: ReplyPacket[] = [];
    collect('a', got);
    inbox.listen();
    const topic = await inbox.address();
    await inbox.close();
    expect(got).toHaveLength(1);
    expect(got[0].isDisposed).toBe(true);
    expect(String(got[0].err)).toContain('closed');
    expect(broker.deleted).toEqual([topic]);
    expect(topic).toMatch(/^replies\.[0-9a-f-]{36}$/);
  });

  it('keeps reading after its last reply: the next request finds its read waiting, and its reply comes without a new listen', async () => {
    const got: ReplyPacket[] = [];
    collect('a', got);
    inbox.listen();
    broker.append('a', 0, { response: 1, isDisposed: true });
    await until(() => got.length === 1);
    await until(() => broker.reads >= 2); // the read after the reply, with no request waiting
    collect('b', got);
    broker.append('b', 0, { response: 2, isDisposed: true });
    await until(() => got.length === 2);
    expect(got).toEqual([
      { response: 1, isDisposed: true },
      { response: 2, isDisposed: true },
    ]);
  });

  it('waits 5 s per read while a request waits, and after the last one only to the end of its 1 s linger', async () => {
    const got: ReplyPacket[] = [];
    collect('a', got);
    inbox.listen();
    broker.append('a', 0, { response: 1, isDisposed: true });
    await until(() => got.length === 1 && broker.reads >= 2);
    // A process that never closes its client is held by such a read no longer than the linger.
    expect(broker.waits[0]).toBe(5_000);
    expect(broker.waits[1]).toBeGreaterThan(0);
    expect(broker.waits[1]).toBeLessThanOrEqual(1_000);
  });
});
