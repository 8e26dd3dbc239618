// Suites that start the built programs (dist/src/main.js, the job worker, the examples, the
// packed libraries) test whatever `npm run build` last produced. This finds a build older than
// its sources, the way `tsc -b` decides a project is out of date: the newest input against the
// build's .tsbuildinfo (or, for the console, against the oldest file it emitted).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** @type {import('./fresh-build.js').BuildOutput[]} */
export const BUILD_OUTPUTS = [
  { sources: ['src', 'cli', 'bench', 'examples', 'test/fixtures'], stamp: 'dist/tsconfig.build.tsbuildinfo' },
  { sources: ['libs/protocol/src'], stamp: 'libs/protocol/dist/tsconfig.build.tsbuildinfo' },
  { sources: ['libs/client/src'], stamp: 'libs/client/dist/tsconfig.build.tsbuildinfo' },
  { sources: ['libs/transport/src'], stamp: 'libs/transport/dist/tsconfig.build.tsbuildinfo' },
  { sources: ['console/src', 'console/public'], outputDir: 'dist/console' },
];

/** Every file under `dir` (none if it does not exist), as [path, mtimeMs]. */
function files(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(path);
    return entry.isFile() ? [[path, statSync(path).mtimeMs]] : [];
  });
}

/** When `output` was built: its stamp's mtime, or its oldest emitted file's; undefined if never. */
function builtAt(root, output) {
  if (output.stamp) {
    try {
      return statSync(join(root, output.stamp)).mtimeMs;
    } catch {
      return undefined;
    }
  }
  const emitted = files(join(root, output.outputDir));
  return emitted.length === 0 ? undefined : Math.min(...emitted.map(([, mtime]) => mtime));
}

/**
 * What makes the build under `root` out of date: the first output that is missing or older than
 * one of its sources (spec files aside), with that source; undefined when every output is current.
 */
export function staleBuild(root, outputs = BUILD_OUTPUTS) {
  for (const output of outputs) {
    const built = builtAt(root, output);
    const sources = output.sources
      .flatMap((dir) => files(join(root, dir)))
      .filter(([path]) => !path.endsWith('.spec.ts'))
      // tsc compiles only the .ts files (a bench's .mjs script runs as it is).
      .filter(([path]) => !output.stamp || path.endsWith('.ts'));
    const newest = sources.reduce((a, b) => (b[1] > a[1] ? b : a), ['', -Infinity]);
    const where = output.stamp ?? output.outputDir;
    if (built === undefined) return { output: where, source: undefined };
    if (newest[1] > built) return { output: where, source: newest[0].slice(root.length).replace(/^[\\/]/, '') };
  }
  return undefined;
}

/** Throws the one clear line when the build under `root` is older than its sources. */
export function assertFreshBuild(root) {
  const stale = staleBuild(root);
  if (!stale) return;
  const error = new Error(
    stale.source
      ? `dist/ is older than src/: run npm run build (${stale.source} is newer than ${stale.output})`
      : `dist/ is not built: run npm run build (${stale.output} is missing)`,
  );
  error.stack = error.message; // the line is the whole story: no stack trace under it
  throw error;
}
