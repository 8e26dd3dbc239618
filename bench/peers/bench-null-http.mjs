/* global process, console */
// For the peer kit's EXTRA_BENCHES: runs one of the kit's own Shoal scripts (in the kit's folder,
// the working directory of its runs) against bench/peers/null-broker.mjs instead of Shoal, and
// prints its JSON line relabelled. That row is the ceiling of the kit's client against any
// HTTP/JSON broker on that machine, in that run: `bench-shoal.mjs` (the bare-HTTP row) here and
// in bench-null-http-fsync.mjs, `bench-shoal-transport.mjs` (the transport row, the one issue
// 29's targets are read from) in bench-null-transport.mjs and bench-null-transport-fsync.mjs.
//   EXTRA_BENCHES="bench-shoal.mjs $PWD/bench/peers/bench-null-http.mjs $PWD/bench/peers/bench-null-http-fsync.mjs"
//   EXTRA_BENCHES="bench-shoal-transport.mjs $PWD/bench/peers/bench-null-transport.mjs $PWD/bench/peers/bench-null-transport-fsync.mjs"
// (the transport script loads @shoal/* from SHOAL_REPO, as the kit's run-all.sh sets it)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export function runNullBroker({ fsync, script = 'bench-shoal.mjs' }) {
  const broker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'null-broker.mjs');
  const run = spawnSync(process.execPath, [script], {
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
  const row = script === 'bench-shoal.mjs' ? '' : ` (${script.replace(/^bench-|\.mjs$/g, '')})`;
  result.bench = (fsync ? 'null HTTP server + fdatasync' : 'null HTTP server') + row;
  result.durability = fsync
    ? "none kept; each produce's bytes and each request's acks appended and fdatasync'd before the answer (group commit)"
    : 'none: node:http answering from memory (the ceiling)';
  process.stdout.write(JSON.stringify(result) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) runNullBroker({ fsync: false });
