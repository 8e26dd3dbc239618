import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ShoalHttpClient } from '@shoal/client';
import { freePort } from '../../bench/harness.js';

export { freePort };

const MAIN = 'dist/src/main.js';

export interface BrokerProcess {
  child: ChildProcess;
  client: ShoalHttpClient;
  url: string;
  /** What the process wrote to stderr so far (a crash's stack, whatever `SHOAL_LOG`). */
  stderr(): string;
}

/** The built broker (`npm run build`) in its own process, as `npm start` runs it. */
export async function spawnBroker(
  databaseUrl: string,
  port?: number,
  env: Record<string, string> = {},
): Promise<BrokerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (npm test does)`);
  port ??= await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      SHOAL_LOG: 'silent',
      ...env,
    },
    // SHOAL_TEST_BROKER_STDOUT=1 shows the brokers' logs (with SHOAL_LOG=info in `env`) when a suite is debugged.
    stdio: ['ignore', process.env.SHOAL_TEST_BROKER_STDOUT ? 'inherit' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const client = new ShoalHttpClient({ url, timeoutMs: 5_000 });
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode}: ${stderr}`);
    try {
      await client.health();
      return { child, client, url, stderr: () => stderr };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`broker did not become healthy: ${stderr}`);
}

/** Stops a broker spawned by {@link spawnBroker} with `signal` and waits until it has exited (its client closed). */
export async function stopBroker(broker: BrokerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = broker;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
  await broker.client.close();
}
