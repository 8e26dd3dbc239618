import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ShoalHttpClient } from '@shoal/client';
import { Kafka, logLevel } from 'kafkajs';

export interface BenchBroker {
  client: ShoalHttpClient;
  url: string;
  stop(): Promise<void>;
}

/** A TCP port free on loopback right now (tests use it too). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * The built broker in its own process on a fresh SQLite file (or `DATABASE_URL` if set).
 * `BENCH_BROKER_NODE_ARGS` adds node flags to it, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export async function startBenchBroker(env: Record<string, string> = {}): Promise<BenchBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-'));
  const port = await freePort();
  const nodeArgs = process.env.BENCH_BROKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
      SHOAL_LOG: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const client = new ShoalHttpClient({ url, timeoutMs: 60_000 });
  for (let i = 0; ; i++) {
    try {
      await client.health();
      break;
    } catch (error) {
      if (i > 300) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    client,
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `worker` on `concurrency` loops until `seconds` pass; answers how many units they did. */
/** A bench broker with its Kafka listener on a free port, and a quiet KafkaJS client for it. */
export async function startKafkaBenchBroker(): Promise<{ broker: BenchBroker; kafka: Kafka; kafkaPort: number }> {
  const kafkaPort = await freePort();
  const broker = await startBenchBroker({ SHOAL_KAFKA_PORT: String(kafkaPort) });
  const kafka = new Kafka({ brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING });
  return { broker, kafka, kafkaPort };
}

export async function runFor(
  seconds: number,
  concurrency: number,
  worker: () => Promise<number>,
): Promise<{ units: number; elapsedS: number }> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let units = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const done = await worker(); // not `units += await …`: that reads units before the await
        units += done;
      }
    }),
  );
  return { units, elapsedS: (performance.now() - started) / 1000 };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of cells.slice(1)) console.log(line(r));
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The first line of a bench's output: what it is, on which machine, at which load. */
export function machineLine(title: string): string {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return `${title} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${load}`;
}
