import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The file a SQLite thread runs (`sqlite.worker`, the connection's own thread, or
 * `checkpoint.worker`, the WAL checkpointer). Built, it is the compiled sibling of this module.
 * Run from the TypeScript sources (jest), a worker thread cannot load `.ts`, so it is the
 * compiled copy under `dist/` that `npm run build` writes — refused when older than its source,
 * so a test never runs a stale worker.
 */
export function sqliteWorkerScript(worker: 'sqlite.worker' | 'checkpoint.worker' = 'sqlite.worker'): URL {
  const sibling = new URL(`./${worker}.js`, import.meta.url);
  if (existsSync(sibling)) return sibling;
  const here = dirname(fileURLToPath(import.meta.url));
  const root = packageRoot(here);
  const built = join(root, 'dist', relative(root, here), `${worker}.js`);
  const sources = [join(here, `${worker}.ts`), join(here, 'sqlite-connection.ts'), join(here, '..', 'sql-dialect.ts')];
  if (!existsSync(built))
    throw new Error(`${built} is missing: run \`npm run build\` (the SQLite thread runs built code)`);
  const builtAt = statSync(built).mtimeMs;
  const newer = sources.find((source) => existsSync(source) && statSync(source).mtimeMs > builtAt);
  if (newer) throw new Error(`${newer} is newer than ${built}: run \`npm run build\``);
  return pathToFileURL(built);
}

function packageRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'shoal')
      return dir;
  }
  throw new Error(`no shoal package.json above ${from}`);
}
