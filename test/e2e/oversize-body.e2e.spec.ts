import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ShoalApiError, ShoalHttpClient } from '@shoal/client';
import { DRAIN_FACTOR, drainUnreadBody } from '../../src/http/framework-errors.js';
import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';

const DEFAULT_LIMIT = 16 * 1024 * 1024;
const SMALL_LIMIT = 256 * 1024;

/** A produce body of about `bytes` bytes: one record whose value is a long string. */
function produceBody(bytes: number): string {
  return JSON.stringify({ records: [{ value: 'x'.repeat(bytes) }] });
}

/** What Node's global fetch (undici) receives for a body: the status and code, or the error. */
async function fetchAnswer(url: string, body: string | ReadableStream<Uint8Array>): Promise<unknown> {
  try {
    const response = await fetch(`${url}/v1/topics/big/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      ...(typeof body === 'string' ? {} : { duplex: 'half' }),
    } as RequestInit);
    const answer = (await response.json()) as { error?: { code: string } };
    return { status: response.status, code: answer.error?.code };
  } catch (error) {
    return { failed: String((error as Error).cause ?? error) };
  }
}

/** What @shoal/client throws for one oversize batch. */
async function clientAnswer(client: ShoalHttpClient, bytes: number): Promise<unknown> {
  try {
    await client.produce('big', [{ value: 'x'.repeat(bytes) }]);
    return 'accepted';
  } catch (error) {
    if (error instanceof ShoalApiError) return { error: error.name, status: error.status, code: error.code };
    return { failed: String(error) };
  }
}

/** `bytes` bytes of a produce body sent without Content-Length (chunked), 64 KiB at a time. */
function chunkedBody(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

async function endOffset(client: ShoalHttpClient): Promise<number> {
  const topic = await client.describeTopic('big');
  return topic.partitions.reduce((sum, partition) => sum + partition.endOffset, 0);
}

describe(drainUnreadBody.name, () => {
  let storage: TestStorage;
  afterEach(() => storage.dispose());

  async function start(env: Record<string, string> = {}): Promise<BrokerProcess> {
    storage = await createTestStorage('sqlite');
    const broker = await spawnBroker(storage.storage.url, undefined, env);
    await broker.client.createTopic({ name: 'big', partitions: 1 });
    return broker;
  }

  it('with default settings answers 413 REQUEST_TOO_LARGE to fetch and @shoal/client for one oversize batch, up to 10x the limit', async () => {
    const broker = await start();
    const client = new ShoalHttpClient({ url: broker.url, timeoutMs: 120_000, retry: { retries: 0 } });
    try {
      const tooLarge = { status: 413, code: 'REQUEST_TOO_LARGE' };
      const refused = { error: 'ShoalApiError', status: 413, code: 'REQUEST_TOO_LARGE' };
      for (const factor of [1.01, 2, 10]) {
        const bytes = Math.floor(DEFAULT_LIMIT * factor);
        expect({ factor, fetch: await fetchAnswer(broker.url, produceBody(bytes)) }).toEqual({
          factor,
          fetch: tooLarge,
        });
        expect({ factor, client: await clientAnswer(client, bytes) }).toEqual({ factor, client: refused });
      }
      expect(await endOffset(client)).toBe(0);
      // The same client goes on producing normally.
      expect((await client.produce('big', [{ value: 'fits' }])).offsets).toHaveLength(1);
    } finally {
      await client.close();
      broker.child.kill('SIGKILL');
    }
  }, 180_000);

  it('with a small limit answers 413 to fetch (sized or chunked), @shoal/client and curl; beyond the drain bound cuts the connection and stays up', async () => {
    const broker = await start({ SHOAL_MAX_REQUEST_BYTES: String(SMALL_LIMIT), SHOAL_MAX_RECORD_BYTES: '65536' });
    const client = new ShoalHttpClient({ url: broker.url, retry: { retries: 0 } });
    try {
      const tooLarge = { status: 413, code: 'REQUEST_TOO_LARGE' };
      for (const factor of [1.01, 2, 10, DRAIN_FACTOR - 1]) {
        const bytes = Math.floor(SMALL_LIMIT * factor);
        expect({ factor, sized: await fetchAnswer(broker.url, produceBody(bytes)) }).toEqual({
          factor,
          sized: tooLarge,
        });
        expect({ factor, chunked: await fetchAnswer(broker.url, chunkedBody(bytes)) }).toEqual({
          factor,
          chunked: tooLarge,
        });
        expect({ factor, client: await clientAnswer(client, bytes) }).toEqual({
          factor,
          client: { error: 'ShoalApiError', status: 413, code: 'REQUEST_TOO_LARGE' },
        });
      }
      const file = join(storage.storage.url.replace(/^sqlite:/, ''), '..', 'body.json');
      writeFileSync(file, produceBody(SMALL_LIMIT * 10));
      const { stdout } = await promisify(execFile)('curl', [
        '-s',
        '-w',
        '\n%{http_code}',
        '-H',
        'content-type: application/json',
        '--data-binary',
        `@${file}`,
        `${broker.url}/v1/topics/big/records`,
      ]);
      const [body, status] = stdout.split('\n');
      expect([status, JSON.parse(body).error.code]).toEqual(['413', 'REQUEST_TOO_LARGE']);
      // Far beyond the bound the broker may cut the upload off; whatever the client sees, the broker serves on.
      await fetchAnswer(broker.url, produceBody(SMALL_LIMIT * DRAIN_FACTOR * 4));
      await fetchAnswer(broker.url, chunkedBody(SMALL_LIMIT * DRAIN_FACTOR * 4));
      // @shoal/client then answers the 413 if it could read it, else says what the broken upload may mean.
      const cut = await clientAnswer(client, SMALL_LIMIT * 400);
      expect(
        JSON.stringify(cut).includes('"code":"REQUEST_TOO_LARGE"') ||
          /may have refused it as too large \(413 REQUEST_TOO_LARGE/.test(JSON.stringify(cut)),
      ).toBe(true);
      expect(await endOffset(client)).toBe(0);
      expect((await client.produce('big', [{ value: 'fits' }])).offsets).toHaveLength(1);
    } finally {
      await client.close();
      broker.child.kill('SIGKILL');
    }
  }, 180_000);

  it('answers 413 to an oversize producing ack (fetch and @shoal/client): nothing acknowledged, nothing produced', async () => {
    const broker = await start({ SHOAL_MAX_REQUEST_BYTES: String(SMALL_LIMIT), SHOAL_MAX_RECORD_BYTES: '65536' });
    const client = new ShoalHttpClient({ url: broker.url, retry: { retries: 0 } });
    try {
      await client.createTopic({ name: 'out', partitions: 1 });
      await client.produce('big', [{ value: 'job' }]);
      await client.updateShareGroupConfig('g', { autoOffsetReset: 'earliest' });
      const { memberId } = await client.joinShareGroup('g', { topics: ['big'] });
      expect((await client.shareFetch('g', memberId, { maxWaitMs: 5_000 })).records).toHaveLength(1);
      const ack = (value: string) => ({
        acks: [
          {
            topic: 'big',
            partition: 0,
            offset: 0,
            type: 'accept' as const,
            produce: [{ topic: 'out', records: [{ value }] }],
          },
        ],
      });
      const answer = async (body: unknown) => {
        const response = await fetch(`${broker.url}/v1/share-groups/g/members/${memberId}/acks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, code: ((await response.json()) as { error?: { code: string } }).error?.code };
      };
      expect(await answer(ack('x'.repeat(SMALL_LIMIT * 2)))).toEqual({ status: 413, code: 'REQUEST_TOO_LARGE' });
      expect(await answer(ack('x'.repeat(100_000)))).toEqual({ status: 413, code: 'RECORD_TOO_LARGE' });
      const thrown = await client.acknowledgeProducing('g', memberId, ack('x'.repeat(SMALL_LIMIT * 2))).catch((e) => e);
      expect(thrown).toBeInstanceOf(ShoalApiError);
      expect({ status: thrown.status, code: thrown.code }).toEqual({ status: 413, code: 'REQUEST_TOO_LARGE' });
      expect((await client.read('out', 0, { offset: 0 })).records).toHaveLength(0);
      // The record is still held by the member: the same step, within the limits, applies once.
      const applied = await client.acknowledgeProducing('g', memberId, ack('fits'));
      expect(applied.results.map((r) => r.error)).toEqual([null]);
      expect((await client.read('out', 0, { offset: 0 })).records.map((r) => r.value)).toEqual(['fits']);
    } finally {
      await client.close();
      broker.child.kill('SIGKILL');
    }
  }, 60_000);
});
