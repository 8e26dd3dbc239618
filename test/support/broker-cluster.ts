import { ShoalApiError, ShoalHttpClient } from '@shoal/client';
import { type BrokerProcess, freePort, spawnBroker, stopBroker } from './broker-process.js';
import { sleep } from './until.js';

/** Several broker processes on one database, each on a fixed port so a restart comes back where it was. */
export class BrokerCluster {
  private readonly brokers: (BrokerProcess | undefined)[];
  private readonly clients: ShoalHttpClient[] = [];

  private constructor(
    private readonly databaseUrl: string,
    private readonly ports: number[],
    private readonly env: Record<string, string>,
  ) {
    this.brokers = ports.map(() => undefined);
    // No retries of its own: a failure moves the call to another broker (see `call`).
    this.clients = ports.map(
      (port) => new ShoalHttpClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 20_000, retry: { retries: 0 } }),
    );
  }

  static async start(databaseUrl: string, size: number, env: Record<string, string> = {}): Promise<BrokerCluster> {
    const ports: number[] = [];
    for (let i = 0; i < size; i++) ports.push(await freePort());
    const cluster = new BrokerCluster(databaseUrl, ports, env);
    // All at once on a new database: one migrates, the others wait for it (advisory lock).
    await Promise.all(ports.map((_, i) => cluster.restart(i)));
    return cluster;
  }

  get size(): number {
    return this.ports.length;
  }

  isUp(slot: number): boolean {
    return this.brokers[slot] !== undefined;
  }

  client(slot: number): ShoalHttpClient {
    return this.clients[slot];
  }

  url(slot: number): string {
    return `http://127.0.0.1:${this.ports[slot]}`;
  }

  /** The broker's process while it is up (its `exitCode` tells whether it died by itself). */
  processOf(slot: number): BrokerProcess['child'] | undefined {
    return this.brokers[slot]?.child;
  }

  /** Each broker that exited by itself, with its exit and the end of its stderr (for a failure's message). */
  exits(): string[] {
    return this.brokers.flatMap((broker, slot) => {
      const child = broker?.child;
      if (!child || (child.exitCode === null && child.signalCode === null)) return [];
      return [`broker ${slot} exited (${child.exitCode ?? child.signalCode}): ${broker.stderr().slice(-2_000)}`];
    });
  }

  /** Stops the broker with `signal` and waits for its exit. */
  async stop(slot: number, signal: NodeJS.Signals): Promise<void> {
    const broker = this.brokers[slot];
    if (!broker) return;
    this.brokers[slot] = undefined;
    await stopBroker(broker, signal);
  }

  async restart(slot: number): Promise<void> {
    this.brokers[slot] = await spawnBroker(this.databaseUrl, this.ports[slot], this.env);
  }

  /**
   * Runs `work` on a broker that is up, moving to another when the connection fails, until
   * `deadline`. An error answer (`ShoalApiError`) is the call's result and is thrown.
   */
  async call<T>(pick: () => number, work: (client: ShoalHttpClient) => Promise<T>, deadline: number): Promise<T> {
    for (;;) {
      const slot = pick();
      try {
        return await work(this.clients[slot]);
      } catch (error) {
        if (error instanceof ShoalApiError || Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  }

  async close(): Promise<void> {
    for (let slot = 0; slot < this.size; slot++) await this.stop(slot, 'SIGKILL');
    for (const client of this.clients) await client.close();
  }
}
