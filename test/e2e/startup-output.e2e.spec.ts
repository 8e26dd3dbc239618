import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupQuietLogger } from '../../src/config/log-format.js';
import { freePort } from '../support/broker-process.js';
import { until } from '../support/until.js';

/** The start-up line's pattern (src/startup-line.ts). */
const STARTUP_LINE = /shoal \d+\.\d+\.\d+ listening on /;

/**
 * Starts the built broker as `npm start` does, with the environment's SHOAL_* cleared but
 * `env`, and answers its stdout and stderr, interleaved, up to and including the start-up line.
 */
async function startupOutput(env: Record<string, string>): Promise<{ lines: string[]; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-startup-'));
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SHOAL_')));
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...inherited,
      NODE_OPTIONS: '',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'shoal.db')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await until(() => STARTUP_LINE.test(output) || child.exitCode !== null);
    const lines = output.split('\n');
    const last = lines.findIndex((line) => STARTUP_LINE.test(line));
    expect({ last, output: last < 0 ? output : '' }).toEqual({ last: expect.any(Number), output: '' });
    return { lines: lines.slice(0, last + 1), url: `http://127.0.0.1:${port}` };
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(StartupQuietLogger.name, () => {
  it('with default settings prints a few lines up to the start-up line, which names version, URL, database, auth, console and docs', async () => {
    const { lines, url } = await startupOutput({});
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines.join('\n')).not.toContain('Mapped {');
    const start = lines.at(-1)!;
    for (const part of [url, 'database sqlite', 'auth off', `${url}/console`, `${url}/docs`])
      expect({ part, start: start.includes(part) }).toEqual({ part, start: true });
  });

  it('prints as few lines as text (SHOAL_LOG_FORMAT=pretty)', async () => {
    const { lines } = await startupOutput({ SHOAL_LOG_FORMAT: 'pretty' });
    expect(lines.length).toBeLessThanOrEqual(8);
  });

  it('shows the route mappings and module initialisation at SHOAL_LOG=debug', async () => {
    const { lines } = await startupOutput({ SHOAL_LOG: 'debug' });
    const text = lines.join('\n');
    expect(text).toContain('Mapped {/v1/topics, POST} route');
    expect(text).toContain('AppModule dependencies initialized');
    expect(lines.length).toBeGreaterThan(40);
  });
});
