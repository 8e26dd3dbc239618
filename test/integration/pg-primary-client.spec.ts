import net from 'node:net';
import pg from 'pg';
import { primaryFinder } from '../../src/storage/pg-hosts.js';

/**
 * A connection to a multi-host URL with `target_session_attrs=read-write` is checked with
 * `SHOW transaction_read_only` before pg's pool takes it. A server that goes away right then (a
 * primary killed during a failover) must fail that connect, not the process: pg emits 'error'
 * on the dying client, and the pool listens only once the connect is done. Found by the failover
 * e2e test (a broker gone in a whole run); here a proxy drops the connection at that statement.
 */
describe('a pooled connection whose server goes away during the read-write check', () => {
  let proxy: net.Server;
  let dropAtCheck = true;
  let dropped = 0;

  beforeAll(async () => {
    const base = new URL(process.env.SHOAL_TEST_POSTGRES_URL!);
    proxy = net.createServer((client) => {
      const server = net.connect(Number(base.port), base.hostname);
      client.on('data', (chunk: Buffer) => {
        if (dropAtCheck && chunk.includes('SHOW transaction_read_only')) {
          dropped++;
          client.destroy();
          server.destroy();
          return;
        }
        server.write(chunk);
      });
      server.on('data', (chunk: Buffer) => client.write(chunk));
      for (const socket of [client, server]) socket.on('error', () => undefined);
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('fails that connect, and the next one to a server that stays works', async () => {
    const base = new URL(process.env.SHOAL_TEST_POSTGRES_URL!);
    const { port } = proxy.address() as net.AddressInfo;
    const url = `postgres://${base.username}:${base.password}@127.0.0.1:${port},127.0.0.1:${port}${base.pathname}?target_session_attrs=read-write`;
    const pool = new pg.Pool({ Client: primaryFinder(url).clientClass(), connectionString: url, max: 1 });
    const idleErrors: Error[] = [];
    pool.on('error', (error) => idleErrors.push(error));
    try {
      await expect(pool.connect()).rejects.toThrow(/terminated/);
      expect(dropped).toBe(1);
      // Whatever the dead connection emits late lands on a listener, not on the process.
      await new Promise((resolve) => setTimeout(resolve, 200));
      dropAtCheck = false;
      const client = await pool.connect();
      try {
        expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        client.release();
      }
      expect(idleErrors).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});
