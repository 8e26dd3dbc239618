import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ConfigError } from '../../src/config/config.error.js';
import { configWarnings, loadConfig } from '../../src/config/shoal-config.js';
import { editDistance } from '../../src/config/unknown-variables.js';

function problems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe(loadConfig.name, () => {
  it('reads the defaults, partition detail on', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      storage: { kind: 'sqlite' },
      metricsPartitionDetail: true,
    });
    expect(loadConfig({ SHOAL_ADMIN_API_KEY: 'a-key-of-16-chars-or-more' }).host).toBe('0.0.0.0');
    expect(loadConfig({ SHOAL_METRICS_PARTITION_DETAIL: 'off' }).metricsPartitionDetail).toBe(false);
  });

  it('gives requests in flight 10 s on SIGTERM unless SHOAL_SHUTDOWN_GRACE_MS says otherwise', () => {
    expect(loadConfig({}).shutdownGraceMs).toBe(10_000);
    expect(loadConfig({ SHOAL_SHUTDOWN_GRACE_MS: '2500' }).shutdownGraceMs).toBe(2_500);
    expect(problems({ SHOAL_SHUTDOWN_GRACE_MS: '-1' })).toEqual([
      expect.stringMatching(/^SHOAL_SHUTDOWN_GRACE_MS="-1": /),
    ]);
  });

  it('runs SQLite on the event loop unless SHOAL_SQLITE_THREAD=on moves it to a worker thread', () => {
    expect(loadConfig({}).storage.sqliteThread).toBe(false);
    expect(loadConfig({ SHOAL_SQLITE_THREAD: 'on' }).storage.sqliteThread).toBe(true);
    expect(problems({ SHOAL_SQLITE_THREAD: 'yes' })).toEqual([expect.stringMatching(/^SHOAL_SQLITE_THREAD="yes": /)]);
  });

  it('reports one line per bad variable, naming it and the value given', () => {
    const found = problems({
      PORT: 'abc',
      SHOAL_METRICS_PARTITION_DETAIL: 'maybe',
      DATABASE_URL: 'mysql://x',
      SHOAL_LOG: 'silent',
    });
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/^PORT="abc": PORT must be an integer number$/);
    expect(found.find((line) => line.startsWith('SHOAL_METRICS_PARTITION_DETAIL="maybe": '))).toBeDefined();
    expect(
      found.find((line) => line.startsWith('DATABASE_URL="mysql://x": must be sqlite:<path> or postgres://')),
    ).toBeDefined();
    expect(problems({ SHOAL_MAX_RECORD_BYTES: '100', SHOAL_MAX_REQUEST_BYTES: '10' })).toEqual([
      'SHOAL_MAX_REQUEST_BYTES=10: must be at least SHOAL_MAX_RECORD_BYTES (100)',
    ]);
  });
});

describe(configWarnings.name, () => {
  it('warns about SHOAL_* variables the broker does not read, with the closest name when it is a misspelling', () => {
    expect(
      configWarnings({
        SHOAL_RETENTON_INTERVAL_MS: '100',
        SHOAL_METRICS_PARTITION_DETAILS: 'off',
        SHOAL_FROBNICATE: '1',
        PATH: '/bin',
      }),
    ).toEqual([
      'unknown environment variable SHOAL_FROBNICATE is ignored',
      'unknown environment variable SHOAL_METRICS_PARTITION_DETAILS is ignored (did you mean SHOAL_METRICS_PARTITION_DETAIL?)',
      'unknown environment variable SHOAL_RETENTON_INTERVAL_MS is ignored (did you mean SHOAL_RETENTION_INTERVAL_MS?)',
    ]);
  });

  it('stays quiet for the variables it reads and those the examples and tests read', () => {
    expect(
      configWarnings({
        SHOAL_LOG: 'silent',
        SHOAL_SQLITE_SYNCHRONOUS: 'FULL',
        SHOAL_URL: 'http://x',
        SHOAL_TEST_POSTGRES_URL: 'postgres://x',
      }),
    ).toEqual([]);
  });

  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('the built broker with a bad environment', () => {
  const main = 'dist/src/main.js';

  it('prints one clear line per bad variable and exits 1, with no stack trace', () => {
    expect(existsSync(main)).toBe(true); // npm test builds first
    const run = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: 'abc', SHOAL_RETENTION_INTERVAL_MS: '1', SHOAL_SQLITE_SYNCRONOUS: 'FULL' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      'shoal: unknown environment variable SHOAL_SQLITE_SYNCRONOUS is ignored (did you mean SHOAL_SQLITE_SYNCHRONOUS?)',
      expect.stringMatching(/^shoal: invalid environment: PORT="abc": /),
      expect.stringMatching(
        /^shoal: invalid environment: SHOAL_RETENTION_INTERVAL_MS="1": SHOAL_RETENTION_INTERVAL_MS must not be less than 10$/,
      ),
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
