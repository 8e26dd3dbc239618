import { readFileSync } from 'node:fs';
import { fmt, printTable } from './harness.js';
import { printDifferences, summarize } from './stats.js';

// `node dist/bench/reqreply-pool.js <samples file>`: pools the calls that runs of bench:reqreply
// with BENCH_REQREPLY_SAMPLES=<file> appended there, per label (BENCH_REQREPLY_LABEL: e.g. the
// build), and prints each row's pooled p50/p99/mean, each run's share − Kafka p99, and the
// pooled share − Kafka differences with a paired bootstrap interval.
interface Run {
  label: string;
  at: string;
  load: number;
  rows: Record<string, number[]>;
}

const file = process.argv[2];
if (!file) throw new Error('usage: node dist/bench/reqreply-pool.js <samples file>');
const runs = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Run);
const labels = [...new Set(runs.map((run) => run.label))];
for (const label of labels) {
  const mine = runs.filter((run) => run.label === label);
  const pooled: Record<string, number[]> = {};
  for (const run of mine) for (const [name, sample] of Object.entries(run.rows)) (pooled[name] ??= []).push(...sample);
  const perRun = mine.map((run) => {
    if (!run.rows.share || !run.rows.kafka) return '-';
    return fmt(summarize(run.rows.share).p99 - summarize(run.rows.kafka).p99, 2);
  });
  console.log(
    `\n${label}: ${mine.length} runs (load ${mine.map((run) => run.load.toFixed(1)).join(', ')}); share − Kafka p99 per run: ${perRun.join(', ')}`,
  );
  const rows = Object.entries(pooled).map(([name, sample]) => {
    const s = summarize(sample);
    return [name, sample.length, fmt(s.p50, 2), fmt(s.p99, 2), fmt(s.mean, 2)];
  });
  printTable(`pooled (ms)`, ['row', 'calls', 'p50', 'p99', 'mean'], rows);
  if (pooled.share && pooled.kafka) printDifferences(pooled.share, pooled.kafka);
}
