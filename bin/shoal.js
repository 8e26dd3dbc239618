#!/usr/bin/env node
// The `shoal` CLI: runs the build (npm run build) of cli/main.ts.
import { existsSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('shoal: the CLI is not built yet: run npm run build\n');
  process.exit(3);
}
await import(main.href);
