import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * Fastify's `inject` (light-my-request) against the whole built broker, in a process of its own
 * (jest cannot load light-my-request's ESM dependencies): its request objects never set
 * `complete`, and the hook that drains unread bodies (`drainUnreadBody`) waited for an 'end'
 * that had already been emitted, so every injected request with a body hung.
 */
const built = (path: string) => pathToFileURL(resolve('dist/src', path)).href;
const SCRIPT = `
import '${pathToFileURL(createRequire(resolve('package.json')).resolve('reflect-metadata')).href}';
import { loadConfig } from '${built('config/shoal-config.js')}';
import { createApp } from '${built('app.factory.js')}';
const app = await createApp({ config: loadConfig() });
await app.init();
const fastify = app.getHttpAdapter().getInstance();
const late = setTimeout(() => { console.log(JSON.stringify('no answer in 5 s')); process.exit(1); }, 5_000);
const created = await fastify.inject({ method: 'POST', url: '/v1/topics', payload: { name: 'injected', partitions: 1 } });
const produced = await fastify.inject({ method: 'POST', url: '/v1/topics/injected/records', payload: { records: [{ value: { n: 1 } }] } });
const described = await fastify.inject({ method: 'GET', url: '/v1/topics/injected' });
clearTimeout(late);
console.log(JSON.stringify([created.statusCode, produced.json(), described.json().partitions]));
await app.close();
`;

describe('requests injected into the built broker', () => {
  it('are answered, with a body and without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-inject-'));
    try {
      // A file, not --eval: the broker's worker threads inherit the process's flags.
      writeFileSync(join(dir, 'inject.mjs'), SCRIPT);
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'inject.mjs')], {
        env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: `sqlite:${join(dir, 'shoal.db')}`, SHOAL_LOG: 'error' },
        timeout: 30_000,
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([
        201,
        { offsets: [{ partition: 0, offset: 0 }] },
        [{ partition: 0, startOffset: 0, endOffset: 1 }],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
