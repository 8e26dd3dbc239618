import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  aptInstallLine,
  findExecutable,
  missingToolsFor,
  REQUIRED_TOOLS,
  toolPath,
  toolsRequired,
} from '../support/required-tools.js';

describe(findExecutable.name, () => {
  let dir: string;
  let withTools: string;
  let withoutTools: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-tools-'));
    withTools = join(dir, 'bin');
    withoutTools = join(dir, 'empty');
    mkdirSync(withTools);
    mkdirSync(withoutTools);
    for (const binary of ['chromium', 'kcat', 'prometheus', 'promtool']) {
      writeFileSync(join(withTools, binary), '#!/bin/sh\n');
      chmodSync(join(withTools, binary), 0o755);
    }
    writeFileSync(join(withoutTools, 'kcat'), 'not executable');
    chmodSync(join(withoutTools, 'kcat'), 0o644);
    mkdirSync(join(withoutTools, 'chromium')); // a directory is not a program
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a program on PATH and nothing on a PATH without it', () => {
    expect(findExecutable('kcat', { PATH: [withoutTools, withTools].join(delimiter) })).toBe(join(withTools, 'kcat'));
    expect(findExecutable('kcat', { PATH: withoutTools })).toBeUndefined();
    expect(findExecutable('chromium', { PATH: withoutTools })).toBeUndefined();
    expect(findExecutable('kcat', {})).toBeUndefined();
  });

  it('gives the path the console suite launches, or an error naming the apt package', () => {
    expect(toolPath('chromium', { PATH: withTools })).toBe(join(withTools, 'chromium'));
    expect(() => toolPath('chromium', { PATH: withoutTools })).toThrow(
      'chromium is not on PATH: apt-get install -y chromium',
    );
  });

  it('names the missing tools of a suite only, prometheus missing when either of its programs is', () => {
    const onlyPrometheus = join(dir, 'half');
    mkdirSync(onlyPrometheus);
    writeFileSync(join(onlyPrometheus, 'prometheus'), '#!/bin/sh\n');
    chmodSync(join(onlyPrometheus, 'prometheus'), 0o755);
    const suite = (path: string, PATH: string) => missingToolsFor(path, { PATH }).map((t) => t.name);
    expect(suite('test/e2e/console.e2e.spec.ts', withoutTools)).toEqual(['chromium']);
    expect(suite('test/e2e/console-schedules.e2e.spec.ts', withoutTools)).toEqual(['chromium']);
    expect(suite('test/e2e/kafka-kcat.e2e.spec.ts', withoutTools)).toEqual(['kcat']);
    expect(suite('test/observability/dashboards.spec.ts', onlyPrometheus)).toEqual(['prometheus']);
    expect(suite('test/e2e/jobs.e2e.spec.ts', withoutTools)).toEqual([]);
    expect(suite('test/e2e/console.e2e.spec.ts', withTools)).toEqual([]);
  });

  it('installs every tool with one apt-get line, and requires them under CI=true', () => {
    expect(aptInstallLine(REQUIRED_TOOLS)).toBe('apt-get install -y chromium kcat postgresql prometheus');
    expect(toolsRequired({ CI: 'true' })).toBe(true);
    expect(toolsRequired({ CI: '1' })).toBe(true);
    expect(toolsRequired({})).toBe(false);
    expect(toolsRequired({ CI: 'false' })).toBe(false);
  });
});
