import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ShoalServerOptions } from '@shoal/transport';

const WORKER = 'dist/test/fixtures/job-worker.js';

/** A line the job worker prints. */
export interface WorkerEvent {
  event: 'listening' | 'start' | 'progress' | 'done';
  id?: number;
  delivery?: number;
  /** The two-queue worker: the topic of the job. */
  topic?: string;
}

export interface WorkerProcess {
  child: ChildProcess;
  events: WorkerEvent[];
  /** Everything the worker wrote to stderr and non-JSON stdout (Nest's log). */
  log(): string;
  /** Resolves when the process ends: its exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface WorkerSpec {
  url: string;
  topic: string;
  group: string;
  workMs?: number;
  options?: Partial<ShoalServerOptions>;
}

/** The built job worker (test/fixtures/job-worker.ts) in its own process; resolves once it listens. */
export function spawnWorker(spec: WorkerSpec): Promise<WorkerProcess> {
  return spawnFixture(WORKER, {
    SHOAL_URL: spec.url,
    TOPIC: spec.topic,
    GROUP: spec.group,
    WORK_MS: String(spec.workMs ?? 0),
    SHOAL_OPTIONS: JSON.stringify(spec.options ?? {}),
  });
}

/**
 * A built worker app of test/fixtures (`script`, under dist/) in its own process, with `env`
 * added to this one's; resolves once it prints `{"event":"listening"}`.
 */
export async function spawnFixture(script: string, env: Record<string, string>): Promise<WorkerProcess> {
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first (npm test does)`);
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: WorkerEvent[] = [];
  let log = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) events.push(JSON.parse(line) as WorkerEvent);
      else log += `${line}\n`;
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker = { child, events, log: () => log, exited };
  const deadline = Date.now() + 20_000;
  while (!events.some((e) => e.event === 'listening')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return worker;
}

/** How many times each job id was started. */
export function startsById(events: WorkerEvent[]): Map<number, number> {
  const starts = new Map<number, number>();
  for (const e of events) if (e.event === 'start') starts.set(e.id!, (starts.get(e.id!) ?? 0) + 1);
  return starts;
}
