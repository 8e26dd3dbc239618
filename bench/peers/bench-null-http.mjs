/* global process, console */
// For the peer kit's EXTRA_BENCHES: runs the kit's own Shoal script (./bench-shoal.mjs in the
// kit's folder, the working directory of its runs) against bench/peers/null-broker.mjs instead
// of Shoal, and prints its JSON line relabelled. That row is the ceiling of the kit's client
// against any HTTP/JSON broker on that machine, in that run.
//   EXTRA_BENCHES="bench-shoal.mjs $PWD/bench/peers/bench-null-http.mjs $PWD/bench/peers/bench-null-http-fsync.mjs"
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export function runNullBroker({ fsync }) {
  const broker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'null-broker.mjs');
  const run = spawnSync(process.execPath, ['bench-shoal.mjs'], {
    cwd: process.cwd(),
    env: { ...process.env, BROKER_CMD: `exec "${process.execPath}" "${broker}"`, NULL_FSYNC: fsync ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'));
  if (run.status !== 0 || !line) {
    console.error(`null broker run failed (exit ${run.status})`);
    process.exit(1);
  }
  const result = JSON.parse(line);
  result.bench = fsync ? 'null HTTP server + fdatasync' : 'null HTTP server';
  result.durability = fsync
    ? 'none kept; each produce and each fetch with acks waits for an append + fdatasync (group commit)'
    : 'none: node:http answering from memory (the ceiling)';
  process.stdout.write(JSON.stringify(result) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) runNullBroker({ fsync: false });
