import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalHttpClient } from '@shoal/client';
import { shoalLogger } from '../../src/config/log-format.js';
import { freePort } from '../support/broker-process.js';
import { until } from '../support/until.js';

interface LogLine {
  level: string;
  message: string;
  context: string;
}

describe(shoalLogger.name, () => {
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-logs-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // stdout is a pipe, as when it goes to a file or a log collector: JSON by default.
    child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, 'shoal.db')}`,
        SHOAL_LOG: 'info',
        SHOAL_LOG_FORMAT: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The start-up line itself: the listen-policy line before it also says "listening on".
    await until(() => /"message":"shoal \S+ listening on/.test(output));
  });
  afterAll(async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = (): LogLine[] =>
    output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine);

  it('writes JSON lines without ANSI codes, starting with version, URL, database kind and auth', () => {
    expect(output).not.toContain('\u001b[');
    const start = lines().find((l) => l.message.startsWith('shoal '))!;
    expect(start).toMatchObject({ level: 'log', context: 'Shoal' });
    expect(start.message).toMatch(
      new RegExp(`^shoal \\d+\\.\\d+\\.\\d+ listening on ${url} \\(database sqlite, auth off`),
    );
  });

  it('logs share-group joins and leaves as consumer-group ones', async () => {
    const client = new ShoalHttpClient({ url });
    try {
      await client.createTopic({ name: 'log-jobs', partitions: 1 });
      const { memberId: fullId } = await client.joinShareGroup('log-workers', { topics: ['log-jobs'] });
      await client.leaveShareGroup('log-workers', fullId);
      // Logs name a member by the public half of its id, never its secret.
      const memberId = fullId.split('.')[0];
      expect(memberId).not.toBe(fullId);
      await until(() => output.includes(`member ${memberId} left share group log-workers`));
      expect(output).not.toContain(fullId);
      expect(
        lines()
          .filter((l) => l.context === 'ShareGroupService')
          .map((l) => l.message),
      ).toEqual([
        `member ${memberId} joined share group log-workers (topics log-jobs)`,
        `member ${memberId} left share group log-workers`,
      ]);
    } finally {
      await client.close();
    }
  });
});
