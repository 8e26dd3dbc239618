import { startBenchBroker } from './harness.js';
import { benchLatency, benchProduce } from './log.bench.js';
import { startPostgres } from './postgres.js';
import { benchShareGroups } from './share-group.bench.js';
import { benchTransport } from './transport.bench.js';

/**
 * `BENCH_ONLY=postgres npm run bench`: produce, produce → long-poll latency, share groups and the
 * NestJS transport (drain, end to end, add → handler) with the broker on PostgreSQL — a fresh
 * embedded one, or `BENCH_DATABASE_URL` (say, the peer kit's, to sit next to pg-boss on the same
 * database). Durability as in production: fsync and synchronous_commit on.
 */
export async function benchPostgres(): Promise<void> {
  const postgres = await startPostgres();
  console.log(`\nOn PostgreSQL (${process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'embedded, fsync on'})`);
  try {
    const broker = await startBenchBroker({ DATABASE_URL: postgres.url });
    try {
      if (process.env.BENCH_TRANSPORT_MODE === undefined) {
        await benchProduce(broker);
        await benchLatency(broker);
        await benchShareGroups(broker);
      }
      await benchTransport(broker);
    } finally {
      await broker.stop();
    }
  } finally {
    await postgres.stop();
  }
}
