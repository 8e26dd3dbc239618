import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShoalApiError, ShoalConnectionError, ShoalHttpClient } from '@shoal/client';
import { freePort } from '../support/broker-process.js';

/** A real HTTP server that drops the connection of the first `drops` requests, then answers. */
async function flakyServer(drops: number): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    if (requests <= drops) return request.socket.destroy();
    response.setHeader('content-type', 'application/json');
    if (request.url === '/v1/topics/missing') {
      response.statusCode = 404;
      return response.end(JSON.stringify({ error: { code: 'UNKNOWN_TOPIC', message: 'no such topic' } }));
    }
    response.end(JSON.stringify({ offsets: [], topics: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

const fast = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };

describe(ShoalHttpClient.name, () => {
  const servers: Server[] = [];
  const clients: ShoalHttpClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const server of servers.splice(0)) server.close();
  });
  function client(url: string): ShoalHttpClient {
    const c = new ShoalHttpClient({ url, retry: fast });
    clients.push(c);
    return c;
  }

  it('retries a read whose connection broke, and answers', async () => {
    const { server, url, requests } = await flakyServer(2);
    servers.push(server);
    await expect(client(url).listTopics()).resolves.toEqual({ offsets: [], topics: [] });
    expect(requests()).toBe(3);
  });

  it('does not send a produce again once it may have arrived, and says so', async () => {
    const { server, url, requests } = await flakyServer(1);
    servers.push(server);
    const error = await client(url)
      .produce('t', [{ value: 1 }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShoalConnectionError);
    expect(error).toMatchObject({ url, route: 'POST /v1/topics/t/records', maybeSent: true, attempts: 1 });
    expect(requests()).toBe(1);
  });

  it('says a large body cut off may have been refused as too large; a small one gets no such hint', async () => {
    const { server, url } = await flakyServer(2);
    servers.push(server);
    const large = await client(url)
      .produce('t', [{ value: 'x'.repeat(4 * 1024 * 1024) }])
      .catch((e: unknown) => e);
    expect(large).toBeInstanceOf(ShoalConnectionError);
    expect((large as Error).message).toMatch(
      /-byte body: the broker may have refused it as too large \(413 REQUEST_TOO_LARGE/,
    );
    const small = await client(url)
      .produce('t', [{ value: 1 }])
      .catch((e: unknown) => e);
    expect(small).toBeInstanceOf(ShoalConnectionError);
    expect((small as Error).message).not.toMatch(/too large/);
  });

  it('retries a produce that never left (connection refused) with backoff, then names URL, route and cause', async () => {
    const port = await freePort();
    const error = await client(`http://127.0.0.1:${port}`)
      .produce('t', [{ value: 1 }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShoalConnectionError);
    expect(error).toMatchObject({ route: 'POST /v1/topics/t/records', maybeSent: false, attempts: 4 });
    expect((error as Error).message).toMatch(
      new RegExp(`POST /v1/topics/t/records to http://127\\.0\\.0\\.1:${port} failed after 4 attempts: .*ECONNREFUSED`),
    );
  });

  it('never retries an error answer', async () => {
    const { server, url, requests } = await flakyServer(0);
    servers.push(server);
    const error = await client(url)
      .describeTopic('missing')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShoalApiError);
    expect(error).toMatchObject({ status: 404, code: 'UNKNOWN_TOPIC' });
    expect(requests()).toBe(1);
  });

  it('reuses its connections across requests', async () => {
    const { server, url } = await flakyServer(0);
    servers.push(server);
    let connections = 0;
    server.on('connection', () => connections++);
    const c = client(url);
    for (let i = 0; i < 20; i++) await c.listTopics();
    expect(connections).toBeLessThanOrEqual(2); // not one per request
  });

  it('can be closed twice and used again after closing, as a Nest ClientProxy may be', async () => {
    const { server, url } = await flakyServer(0);
    servers.push(server);
    const c = client(url);
    await c.listTopics();
    await c.close();
    await c.close();
    await expect(c.listTopics()).resolves.toEqual({ offsets: [], topics: [] });
  });

  it('takes the broker as `url`, and as the deprecated `baseUrl` alike with one deprecation warning', async () => {
    const { server, url, requests } = await flakyServer(0);
    servers.push(server);
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (const options of [{ url }, { baseUrl: url }, { baseUrl: `${url}/` }]) {
        const c = new ShoalHttpClient({ ...options, retry: fast });
        clients.push(c);
        await expect(c.listTopics()).resolves.toEqual({ offsets: [], topics: [] });
      }
      expect(requests()).toBe(3);
      expect(warn.mock.calls).toEqual([
        [expect.stringContaining('baseUrl'), { type: 'DeprecationWarning', code: 'SHOAL_CLIENT_BASE_URL' }],
      ]);
    } finally {
      warn.mockRestore();
    }
    expect(() => new ShoalHttpClient({} as { url: string })).toThrow(TypeError);
  });

  it('sends a produce again after 503 with Retry-After (nothing applied), waiting for it; not after a bare 503', async () => {
    let requests = 0;
    const times: number[] = [];
    const server = createServer((request, response) => {
      requests++;
      times.push(Date.now());
      response.setHeader('content-type', 'application/json');
      const refused = { error: { code: 'STORAGE_UNAVAILABLE', message: 'database down' } };
      if (request.url === '/v1/topics/bare/records') {
        response.statusCode = 503;
        return response.end(JSON.stringify(refused));
      }
      if (requests <= 2) {
        response.statusCode = 503;
        response.setHeader('retry-after', '1');
        return response.end(JSON.stringify(refused));
      }
      response.end(JSON.stringify({ offsets: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await expect(client(url).produce('t', [{ value: 1 }])).resolves.toEqual({ offsets: [] });
    expect(requests).toBe(3);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(990);
    requests = 0;
    const error = await client(url)
      .produce('bare', [{ value: 1 }])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, code: 'STORAGE_UNAVAILABLE', retryAfterMs: undefined });
    expect(requests).toBe(1);
  });
});
