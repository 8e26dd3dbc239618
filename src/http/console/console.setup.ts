import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The console's built assets, `dist/console` of the checkout (`npm run build` writes them; not in git). */
export function consoleAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'src', 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dir, 'dist', 'console');
}

/** Serves the web console at `/console` from the same server and port as the API. */
export async function serveConsole(app: NestFastifyApplication): Promise<void> {
  const root = consoleAssetsDir();
  if (!existsSync(join(root, 'index.html'))) {
    new Logger('Console').warn(`console assets are missing at ${root}: run npm run build`);
    return;
  }
  await app.register(fastifyStatic as never, {
    root,
    prefix: '/console/',
    decorateReply: false,
    index: ['index.html'],
  });
  app
    .getHttpAdapter()
    .getInstance()
    .get('/console', (_request, reply) => reply.redirect('/console/'));
}
