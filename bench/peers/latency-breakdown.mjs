/* global process, console */
// Takes apart the time of each job of a bench/peers/latency-trace.mjs run (its OUT directory:
// jobs.json and the broker's SHOAL_SQL_TRACE, trace.txt): emit sent → produce statement →
// its end → the acquisition's statements → the fetch's answer → handler start. Prints the
// medians of each step over the median jobs (45th–55th percentile) and the slowest 2 % (FIRST=n:
// the first n jobs instead), what the slow jobs overlapped, and the acquisitions per job.
//   node bench/peers/latency-breakdown.mjs /tmp/t1
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const { sent, resolved, started, fetches } = JSON.parse(readFileSync(`${dir}/jobs.json`, 'utf8'));
const lines = readFileSync(`${dir}/trace.txt`, 'utf8').split('\n');
const origin = Number(lines[0].split(' ')[2]);
const st = [];
for (const l of lines.slice(1)) {
  const m = /^(\S+) (\S+) (.*)$/.exec(l);
  if (m) st.push({ s: origin + Number(m[1]), d: Number(m[2]), t: m[3] });
}
const produces = st.filter((x) => x.t.startsWith('WITH h AS'));
const one = st.filter((x) => x.t.includes('shoal_share_fetch_next'));
const opens = one.length ? one : st.filter((x) => x.t.includes('shoal_share_group_open'));
const commits = one.length
  ? one
  : st.filter(
      (x) =>
        x.t.startsWith('INSERT INTO shoal_share_range') ||
        (x.t.includes('COMMIT') && !x.t.includes('shoal_share_group_open')),
    );
const N = sent.length;
// The two processes' timeOrigins disagree by a few ms: shift the broker's clock so that the
// quickest request leg and the quickest response leg of the producer's calls take the same time.
{
  const pr = st.filter((x) => x.t.startsWith('WITH h AS'));
  let a = Infinity,
    b = Infinity;
  const k0 = N - pr.length;
  for (let i = 0; i < pr.length; i++) {
    a = Math.min(a, pr[i].s - sent[i + k0]);
    b = Math.min(b, resolved[i + k0] - pr[i].s - pr[i].d);
  }
  const shift = (b - a) / 2;
  for (const x of st) x.s += shift;
  console.log(`clock shift ${shift.toFixed(2)} ms; quickest legs ${((a + b) / 2).toFixed(2)} ms each`);
}
const byOffset = new Map();
for (const f of fetches) for (const o of f.offsets ?? []) byOffset.set(o, f);
const rows = [];
for (let i = 0; i < N; i++) {
  const p = produces[i - (N - produces.length)],
    f = byOffset.get(i);
  if (!p || !f) continue;
  // the acquisition: last commit-with-writes ending before the answer, and the last open before it
  const c = commits.filter((x) => x.s + x.d <= f.answered).at(-1);
  const o = opens.filter((x) => x.s <= c.s).at(-1);
  rows.push({
    i,
    total: started[i] - sent[i],
    toProduce: p.s - sent[i],
    produce: p.d,
    emitBack: resolved[i] - (p.s + p.d),
    wake: o.s - (p.s + p.d),
    rt1: o.d,
    between: o === c ? 0 : c.s - (o.s + o.d),
    rt2: o === c ? 0 : c.d,
    answer: f.answered - (c.s + c.d),
    handler: started[i] - f.answered,
    fetchOut: o.s - f.sent,
    rode: o.s < p.s + p.d ? 1 : 0,
    n: f.n,
  });
}
rows.sort((a, b) => a.total - b.total);
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const keys = Object.keys(rows[0]);
const mid = rows.slice(Math.floor(rows.length * 0.45), Math.ceil(rows.length * 0.55));
const slow = process.env.FIRST
  ? rows.filter((r) => r.i < Number(process.env.FIRST))
  : rows.slice(Math.floor(rows.length * 0.98));
console.log(
  `jobs ${rows.length}; median job = medians over the 45–55th percentile jobs; slowest 2% = medians over them`,
);
console.log('component\tmedian jobs\tslowest 2%');
for (const k of keys)
  console.log(`${k}\t${med(mid.map((r) => r[k])).toFixed(2)}\t${med(slow.map((r) => r[k])).toFixed(2)}`);
// tail composition: which component is largest in each slow job
const parts = ['toProduce', 'produce', 'wake', 'rt1', 'between', 'rt2', 'answer', 'handler'];
const big = {};
for (const r of slow) {
  const k = parts.reduce((a, b) => (r[a] >= r[b] ? a : b));
  big[k] = (big[k] ?? 0) + 1;
}
console.log('largest part in slowest 2%:', JSON.stringify(big));
console.log('acquisitions per job', (opens.length / rows.length).toFixed(2));
{
  const waiting = rows.filter((r) => r.fetchOut > r.wake + 0.05); // fetch sent before the produce ended
  const arriving = rows.filter((r) => !(r.fetchOut > r.wake + 0.05));
  console.log(
    `fetch waiting at produce end: ${waiting.length} jobs, wake p50 ${med(waiting.map((r) => r.wake)).toFixed(2)} total p50 ${med(waiting.map((r) => r.total)).toFixed(2)}`,
  );
  console.log(
    `fetch not yet out/under way: ${arriving.length} jobs, wake p50 ${med(arriving.map((r) => r.wake)).toFixed(2)} total p50 ${med(arriving.map((r) => r.total)).toFixed(2)}, fetch sent after produce end p50 ${med(arriving.map((r) => r.wake - r.fetchOut)).toFixed(2)}`,
  );
}
{
  // what overlapped the slowest jobs: an ack transaction's statements, a flush barrier
  const acks = st.filter(
    (x) =>
      x.t.includes('shoal_share_lock_windows') ||
      x.t.includes('shoal_share_accept_leading') ||
      x.t.includes('DELETE FROM shoal_share_range') ||
      x.t.includes('shoal_share_group_open'),
  );
  const barriers = st.filter((x) => x.t.includes('pg_logical_emit_message'));
  const overl = (a0, a1, xs) => xs.some((x) => x.s < a1 && x.s + x.d > a0);
  const k0 = N - produces.length;
  const tag = (set) => {
    let ack = 0,
      bar = 0;
    for (const r of set) {
      const p = produces[r.i - k0];
      if (!p) continue;
      const end = started[r.i];
      if (overl(p.s, end, acks)) ack++;
      if (overl(p.s, p.s + p.d, barriers)) bar++;
    }
    return `${set.length} jobs: ack transaction under way ${ack}, flush barrier during the produce ${bar}`;
  };
  console.log('slowest 2%:', tag(slow));
  console.log('all:', tag(rows));
}
