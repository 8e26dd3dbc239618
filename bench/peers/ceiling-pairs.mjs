/* global process, console */
// Shoal's transport row beside its ceiling and the SQLite probe, rep by rep: each rep runs the
// kit's SQLite probe (bench-sqlite.mjs), its transport script (bench-shoal-transport.mjs) against
// Shoal, and the same script against the durable null broker (bench-null-transport-fsync.mjs),
// one after another, each in fresh processes, and prints the enqueue of both as a share of that
// rep's FULL probe, and Shoal's enqueue, drain and p99 against the ceiling's. Pairs taken in the
// same minute let the machine's drift fall on both sides alike.
//   node bench/peers/ceiling-pairs.mjs <kit folder> [reps=6]   (SHOAL_REPO: this checkout, built)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [kit, repsArg = '6'] = process.argv.slice(2);
if (!kit) {
  console.error('usage: node bench/peers/ceiling-pairs.mjs <kit folder> [reps]');
  process.exit(2);
}
const repo = process.env.SHOAL_REPO ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = { ...process.env, SHOAL_REPO: repo, N: process.env.N ?? '50000', LAT_N: process.env.LAT_N ?? '2000' };

function run(args) {
  const out = spawnSync(process.execPath, args, {
    cwd: kit,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = out.stdout.split('\n').find((l) => l.startsWith('{'));
  if (out.status !== 0 || !line) throw new Error(`${args.join(' ')} failed (exit ${out.status})`);
  return JSON.parse(line);
}

const pct = (a, b) => `${Math.round((a / b) * 100)} %`;
const rows = [];
for (let rep = 1; rep <= Number(repsArg); rep++) {
  const probe = run(['bench-sqlite.mjs']).better_full_rows_s;
  const shoal = run(['bench-shoal-transport.mjs']);
  const ceiling = run([path.join(repo, 'bench/peers/bench-null-transport-fsync.mjs')]);
  rows.push({ probe, shoal, ceiling });
  console.log(
    `rep ${rep}: probe FULL ${probe}/s; enqueue Shoal ${shoal.enqueue_jobs_s} (${pct(shoal.enqueue_jobs_s, probe)} of the probe), ` +
      `ceiling ${ceiling.enqueue_jobs_s} (${pct(ceiling.enqueue_jobs_s, probe)}); Shoal ÷ ceiling: enqueue ${pct(shoal.enqueue_jobs_s, ceiling.enqueue_jobs_s)}, ` +
      `drain ${pct(shoal.process_jobs_s, ceiling.process_jobs_s)}, p99 ${shoal.lat_p99_ms} ms against ${ceiling.lat_p99_ms} ms`,
  );
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `medians of ${rows.length}: Shoal's enqueue ${pct(median(rows.map((r) => r.shoal.enqueue_jobs_s / r.probe)), 1)} of the probe, ` +
    `the durable ceiling's ${pct(median(rows.map((r) => r.ceiling.enqueue_jobs_s / r.probe)), 1)}; ` +
    `Shoal ÷ ceiling: enqueue ${pct(median(rows.map((r) => r.shoal.enqueue_jobs_s / r.ceiling.enqueue_jobs_s)), 1)}, ` +
    `drain ${pct(median(rows.map((r) => r.shoal.process_jobs_s / r.ceiling.process_jobs_s)), 1)}, ` +
    `p99 ${median(rows.map((r) => r.shoal.lat_p99_ms / r.ceiling.lat_p99_ms)).toFixed(2)}×`,
);
