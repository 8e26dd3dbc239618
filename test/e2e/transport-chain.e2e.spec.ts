import type { INestMicroservice } from '@nestjs/common';
import type { ShoalHttpClient } from '@shoal/client';
import { ShoalRejectException, type ShoalServerOptions } from '@shoal/transport';
import { systemClock } from '../../src/platform/clock.js';
import { brokerPerSuite } from '../support/broker.js';
import { startTransportApp } from '../support/transport-apps.js';
import { until } from '../support/until.js';

/** Every value of a topic's partitions, in partition then offset order. */
async function values(client: ShoalHttpClient, topic: string, partitions = 1): Promise<unknown[]> {
  const all: unknown[] = [];
  for (let p = 0; p < partitions; p++)
    all.push(...(await client.read(topic, p, { offset: 0, maxRecords: 1_000 })).records.map((r) => r.value));
  return all;
}

/** `ctx.produce` (issue 26): records held by the handler, committed with its record's accept or offset commit. */
describe('the transport produces with the outcome of a record', () => {
  const suite = brokerPerSuite('sqlite', systemClock);
  const apps: INestMicroservice[] = [];
  afterEach(() => Promise.all(apps.splice(0).map((app) => app.close())));
  let n = 0;

  async function topics(...names: string[]): Promise<string[]> {
    n++;
    const named = names.map((name) => `${name}-${n}`);
    for (const name of named) await suite.broker.client.createTopic({ name, partitions: 1 });
    return named;
  }

  it('share mode: a handler that throws after ctx.produce produces nothing; its successful rerun produces once', async () => {
    const [jobs, next] = await topics('tc-jobs', 'tc-next');
    const options: ShoalServerOptions = {
      url: suite.broker.url,
      mode: 'share',
      group: `tc-${n}`,
      maxWaitMs: 100,
      retryDelayMs: 10,
    };
    const runs = new Map<number, number>();
    apps.push(
      await startTransportApp(jobs, options, (data, ctx) => {
        const { id } = data as { id: number };
        const run = (runs.get(id) ?? 0) + 1;
        runs.set(id, run);
        ctx.produce(next, [{ key: String(id), value: { id, run } }]);
        if (id % 2 === 0 && run === 1) throw new Error('first run of an even job fails after producing');
      }),
    );
    await suite.broker.client.produce(
      jobs,
      Array.from({ length: 6 }, (_, id) => ({ value: { id } })),
    );
    await until(async () => (await values(suite.broker.client, next)).length === 6);
    const produced = (await values(suite.broker.client, next)) as { id: number; run: number }[];
    expect(produced.sort((a, b) => a.id - b.id)).toEqual([
      { id: 0, run: 2 },
      { id: 1, run: 1 },
      { id: 2, run: 2 },
      { id: 3, run: 1 },
      { id: 4, run: 2 },
      { id: 5, run: 1 },
    ]);
    await until(async () => (await suite.broker.client.describeShareGroup(`tc-${n}`)).partitions[0]?.startOffset === 6);
  });

  it('share mode: a ShoalRejectException carries a compensating record; what ctx.produce held is dropped', async () => {
    const [jobs, next, undo] = await topics('tr-jobs', 'tr-next', 'tr-undo');
    const options: ShoalServerOptions = { url: suite.broker.url, mode: 'share', group: `tr-${n}`, maxWaitMs: 100 };
    apps.push(
      await startTransportApp(jobs, options, (data, ctx) => {
        ctx.produce(next, { value: 'never' });
        throw new ShoalRejectException('cannot do it', {
          produce: [{ topic: undo, records: [{ value: data as string }] }],
        });
      }),
    );
    await suite.broker.client.produce(jobs, [{ value: 'order 7' }]);
    await until(async () => (await values(suite.broker.client, undo)).length === 1);
    expect(await values(suite.broker.client, undo)).toEqual(['order 7']);
    expect(await values(suite.broker.client, next)).toEqual([]);
  });

  it('consumer mode: what the handlers produce is committed with the offsets of their batch', async () => {
    const [events, out] = await topics('tcg-events', 'tcg-out');
    const group = `tcg-${n}`;
    apps.push(
      await startTransportApp(
        events,
        { url: suite.broker.url, mode: 'consumer', group, autoOffsetReset: 'earliest', maxWaitMs: 100 },
        (data, ctx) => ctx.produce(out, { value: { copied: data as number } }),
      ),
    );
    await suite.broker.client.produce(
      events,
      Array.from({ length: 5 }, (_, i) => ({ value: i })),
    );
    await until(async () => (await values(suite.broker.client, out)).length === 5);
    await until(async () => (await suite.broker.client.describeConsumerGroup(group)).offsets[0]?.committedOffset === 5);
    expect(await values(suite.broker.client, out)).toEqual([0, 1, 2, 3, 4].map((i) => ({ copied: i })));
  });

  it('consumer mode: a producing commit refused (a topic missing) handles the batch again; its output exists once', async () => {
    const [events] = await topics('tcr-events');
    const out = `tcr-out-${n}`; // created only once the first commits have been refused
    const group = `tcr-${n}`;
    let runs = 0;
    apps.push(
      await startTransportApp(
        events,
        { url: suite.broker.url, mode: 'consumer', group, autoOffsetReset: 'earliest', maxWaitMs: 100 },
        (data, ctx) => {
          runs++;
          ctx.produce(out, { value: data as number });
        },
      ),
    );
    await suite.broker.client.produce(events, [{ value: 1 }, { value: 2 }]);
    await until(() => runs >= 4); // handled, refused, handled again
    await suite.broker.client.createTopic({ name: out, partitions: 1 });
    await until(async () => (await suite.broker.client.describeConsumerGroup(group)).offsets[0]?.committedOffset === 2);
    expect(await values(suite.broker.client, out)).toEqual([1, 2]);
  });
});
