import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { Command } from 'commander';
import { ShoalApiError, ShoalConnectionError } from '@shoal/client';
import { action, UsageError } from '../context.js';

const ROUTE = 'POST /v1/admin/backup';

/** `shoal backup <file>`: an online copy of the broker's SQLite database, written to a local file. */
export function backupCommand(): Command {
  return new Command('backup')
    .argument('<file>', 'where to write the copy (a SQLite database file)')
    .description('copy the broker\u2019s SQLite database while it runs (restore: docs/operations.md)')
    .option('--force', 'replace <file> if it exists')
    .action(
      action(async (cli, file: string, options: { force?: boolean }) => {
        if (existsSync(file) && !options.force) throw new UsageError(`${file} exists: pass --force to replace it`);
        const url = `${cli.options.url.replace(/\/+$/, '')}/v1/admin/backup`;
        const headers: Record<string, string> = cli.options.apiKey
          ? { authorization: `Bearer ${cli.options.apiKey}` }
          : {};
        let answer: Response;
        try {
          answer = await fetch(url, { method: 'POST', headers });
        } catch (cause) {
          throw new ShoalConnectionError(cli.options.url, ROUTE, true, 1, cause);
        }
        if (!answer.ok || answer.body === null)
          throw ShoalApiError.from(answer.status, await answer.json().catch(() => null));
        // Written beside the target, then renamed: a broken transfer never leaves a half file under the name.
        const partial = `${file}.partial`;
        try {
          await pipeline(
            Readable.fromWeb(answer.body as ReadableStream<Uint8Array>),
            createWriteStream(partial, { flush: true }),
          );
          await rename(partial, file);
        } catch (error) {
          await rm(partial, { force: true });
          throw error instanceof ShoalApiError
            ? error
            : new ShoalConnectionError(cli.options.url, ROUTE, true, 1, error);
        }
        const bytes = Number(answer.headers.get('content-length') ?? 0);
        cli.print({ file, bytes }, () => `wrote ${file} (${bytes} bytes)`);
      }),
    );
}
