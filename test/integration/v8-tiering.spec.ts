import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * The broker raises V8's `--interrupt-budget` before its modules run (`src/tiering.ts`, the
 * first import of `src/main.ts`; `src/platform/v8-tiering.ts` says why). Seen from a process
 * of its own: a small function called 10,000 times is marked for TurboFan at Node 20's default
 * budget (it is after ~5,000 calls), and is not yet at eight times that budget (~30,000).
 * The process runs with `--allow-natives-syntax` to read V8's optimisation status of the
 * function; the caller is kept out of TurboFan so that it cannot inline the function.
 */
const PROBE = (importTiering: boolean) => `
${importTiering ? `import '${pathToFileURL(resolve('dist/src/tiering.js')).href}';` : ''}
function hot(a, b) { return (a * 31 + b) | 0; }
function caller(n) { let s = 0; for (let i = 0; i < n; i++) s = hot(s, i); return s; }
eval('%NeverOptimizeFunction(caller)');
caller(10_000);
const status = eval('%GetOptimizationStatus(hot)');
// V8's OptimizationStatus bits: optimized (4), marked for optimization (8), marked for concurrent optimization (9), optimizing concurrently (10)
console.log(JSON.stringify((status & ((1 << 4) | (1 << 8) | (1 << 9) | (1 << 10))) !== 0));
`;

async function tieredUp(importTiering: boolean, flags: string[] = []): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-tiering-'));
  try {
    writeFileSync(join(dir, 'probe.mjs'), PROBE(importTiering));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--allow-natives-syntax', ...flags, join(dir, 'probe.mjs')],
      { env: { ...process.env, NODE_OPTIONS: '' }, timeout: 30_000 },
    );
    return JSON.parse(stdout.trim()) as boolean;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the broker's V8 tiering", () => {
  it('is the first thing the broker entry point imports', () => {
    const firstImport = readFileSync(resolve('dist/src/main.js'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('import '));
    expect(firstImport).toBe("import './tiering.js';");
  });

  it("at Node's default budget, the probe's function is marked for TurboFan after 10,000 calls", async () => {
    expect(await tieredUp(false)).toBe(true);
  });

  it('with the broker’s budget it is not yet', async () => {
    expect(await tieredUp(true)).toBe(false);
  });

  it('a budget given on the command line wins', async () => {
    expect(await tieredUp(true, ['--interrupt-budget=67584'])).toBe(true);
  });
});
