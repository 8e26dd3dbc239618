import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assertFreshBuild, type BuildOutput, staleBuild } from '../support/fresh-build.js';

describe(staleBuild.name, () => {
  const outputs: BuildOutput[] = [
    { sources: ['src', 'cli'], stamp: 'dist/build.tsbuildinfo' },
    { sources: ['console/src'], outputDir: 'dist/console' },
  ];
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'shoal-fresh-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Writes `path` under root with its mtime `secondsAgo` before now. */
  function file(path: string, secondsAgo: number): void {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), '');
    const at = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(join(root, path), at, at);
  }

  function built(): void {
    file('src/main.ts', 100);
    file('src/a/b/deep.ts', 90);
    file('cli/shoal.ts', 80);
    file('console/src/main.ts', 70);
    file('dist/build.tsbuildinfo', 60);
    file('dist/console/main.js', 60);
    file('dist/console/index.html', 50);
  }

  it('finds nothing when every output is newer than its sources', () => {
    built();
    expect(staleBuild(root, outputs)).toBeUndefined();
  });

  it('names a source edited after the build, however deep', () => {
    built();
    file('src/a/b/deep.ts', 10);
    expect(staleBuild(root, outputs)).toEqual({ output: 'dist/build.tsbuildinfo', source: join('src/a/b/deep.ts') });
    file('src/a/b/deep.ts', 90);
    file('cli/new-command.ts', 1);
    expect(staleBuild(root, outputs)?.source).toBe(join('cli/new-command.ts'));
  });

  it('compares an output directory by its oldest file, and ignores spec files', () => {
    built();
    file('src/main.spec.ts', 1);
    expect(staleBuild(root, outputs)).toBeUndefined();
    file('console/src/main.ts', 55); // newer than dist/console/main.js, older than index.html
    expect(staleBuild(root, outputs)).toEqual({ output: 'dist/console', source: join('console/src/main.ts') });
  });

  it('calls a build that never ran missing', () => {
    file('src/main.ts', 100);
    expect(staleBuild(root, outputs)).toEqual({ output: 'dist/build.tsbuildinfo', source: undefined });
  });

  it('fails with the one line that says what to run', () => {
    expect(() => assertFreshBuild(root)).toThrow('dist/ is not built: run npm run build');
    for (const stamp of ['dist', 'libs/protocol/dist', 'libs/client/dist', 'libs/transport/dist'])
      file(`${stamp}/tsconfig.build.tsbuildinfo`, 60);
    file('dist/console/main.js', 60);
    file('src/main.ts', 100);
    expect(() => assertFreshBuild(root)).not.toThrow();
    file('src/main.ts', 1);
    expect(() => assertFreshBuild(root)).toThrow(
      'dist/ is older than src/: run npm run build (src/main.ts is newer than dist/tsconfig.build.tsbuildinfo)',
    );
  });
});
