import { cpus, totalmem } from 'node:os';
import { benchAdapters } from './adapters.bench.js';
import { benchChain } from './chain.bench.js';
import { benchConsumerGroups } from './consumer-group.bench.js';
import { benchEventLoop } from './event-loop.bench.js';
import { startBenchBroker } from './harness.js';
import { benchMixed } from './mixed.bench.js';
import { benchScale } from './scale.bench.js';
import { benchScheduledLateness } from './scheduled.bench.js';
import { benchShareGroups } from './share-group.bench.js';
import { benchTransport } from './transport.bench.js';
import { benchLatency, benchProduce, benchRead } from './log.bench.js';
import { benchPostgres } from './postgres.bench.js';
import { benchValidation } from './validation.bench.js';

// `npm run bench`: prints figures, asserts nothing. BENCH_SECONDS sets each run's length;
// BENCH_ONLY=log leaves out the adapter comparison, BENCH_ONLY=transport runs the transport alone,
// BENCH_ONLY=eventloop the event-loop bench alone, BENCH_ONLY=mixed the 10-minute mixed load (`npm run bench:mixed`, MINUTES),
// BENCH_ONLY=scale the big-partition and sweep benches alone (BENCH_SCALE_RECORDS, BENCH_SCALE_IN_FLIGHT size them),
// BENCH_ONLY=postgres produce, latency, share groups and the transport on PostgreSQL (embedded, or BENCH_DATABASE_URL) alone,
// BENCH_ONLY=chain a job chain's step, accept and produce apart or in one transaction, on SQLite and PostgreSQL (BENCH_CHAIN_JOBS).
console.log(
  `Shoal bench — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
const only = process.env.BENCH_ONLY;
const alone: Record<string, () => Promise<void>> = {
  eventloop: benchEventLoop,
  mixed: benchMixed,
  scale: benchScale,
  postgres: benchPostgres,
  chain: benchChain,
};
if (only !== undefined && only in alone) {
  await alone[only]();
  process.exit(0);
}
if (only !== 'transport') benchValidation();
if (only === undefined) await benchAdapters();
const broker = await startBenchBroker();
try {
  if (only !== 'transport') {
    await benchProduce(broker);
    await benchRead(broker);
    await benchLatency(broker);
    await benchScheduledLateness(broker);
    await benchConsumerGroups(broker);
    await benchShareGroups(broker);
  }
  await benchTransport(broker);
} finally {
  await broker.stop();
}
if (only === undefined) {
  await benchEventLoop();
  await benchScale();
}
