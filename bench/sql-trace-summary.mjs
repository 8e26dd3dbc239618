/* global process, console */
// Sums up a SHOAL_SQL_TRACE file (see src/storage/sql-trace.ts): per statement text, how many
// calls, their total, mean and p99 time (the round trip seen from the broker), largest total first.
// usage: node bench/sql-trace-summary.mjs <trace file> [top=25]
import { readFileSync } from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
const byText = new Map();
let all = 0;
let count = 0;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const match = /^(\S+) (\S+) (.*)$/.exec(line);
  if (!match || line.startsWith('#')) continue;
  const ms = Number(match[2]);
  const text = match[3].replace(/\$\d+(, ?\$\d+)+/g, '$n…').slice(0, 110);
  const entry = byText.get(text) ?? { calls: 0, total: 0, times: [] };
  entry.calls++;
  entry.total += ms;
  entry.times.push(ms);
  byText.set(text, entry);
  all += ms;
  count++;
}
console.log(`${count} statements, ${all.toFixed(0)} ms in all, ${(all / Math.max(1, count)).toFixed(3)} ms each`);
console.log('calls\ttotal ms\tmean ms\tp99 ms\tstatement');
for (const [text, e] of [...byText].sort((a, b) => b[1].total - a[1].total).slice(0, Number(top))) {
  e.times.sort((a, b) => a - b);
  const p99 = e.times[Math.min(e.times.length - 1, Math.floor(e.times.length * 0.99))];
  console.log(`${e.calls}\t${e.total.toFixed(0)}\t${(e.total / e.calls).toFixed(3)}\t${p99.toFixed(2)}\t${text}`);
}
