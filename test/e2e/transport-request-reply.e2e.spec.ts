import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ShoalClient, ShoalModule, ShoalRecordBuilder, ShoalReplyTimeoutError } from '@shoal/transport';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';
import { spawnFixture, type WorkerProcess } from '../support/worker-process.js';

const WORKER = 'dist/test/fixtures/rpc-worker.js';
const CLIENT = 'dist/test/fixtures/rpc-client.js';

interface Answers {
  event: 'answers';
  answers: number[];
}

/** Reply topics (`<prefix>.<uuid>`) of a prefix on the broker. */
async function replyTopics(broker: BrokerProcess, prefix: string): Promise<string[]> {
  const { topics } = await broker.client.listTopics();
  return topics.map((t) => t.name).filter((name) => name.startsWith(`${prefix}.`));
}

/** ShoalClient.send against @MessagePattern workers in their own processes, two brokers on one PostgreSQL. */
describe('ShoalClient.send and @MessagePattern handlers across processes', () => {
  let storage: TestStorage;
  const brokers: BrokerProcess[] = [];
  const processes: WorkerProcess[] = [];
  const clients: ShoalClient[] = [];

  async function worker(env: Record<string, string>, broker = brokers[0]): Promise<WorkerProcess> {
    const started = await spawnFixture(WORKER, { SHOAL_URL: broker.url, ...env });
    processes.push(started);
    return started;
  }

  function client(options: Partial<ConstructorParameters<typeof ShoalClient>[0]> = {}, broker = brokers[0]) {
    const made = new ShoalClient({ url: broker.url, ...options });
    clients.push(made);
    return made;
  }

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    // Retention runs every 100 ms, so a reply topic's short retention shows within the test.
    for (let i = 0; i < 2; i++)
      brokers.push(await spawnBroker(storage.storage.url, undefined, { SHOAL_RETENTION_INTERVAL_MS: '100' }));
    // Two workers of one share group, one on each broker.
    const options = JSON.stringify({ group: 'rpc', groupConfig: { recordLockDurationMs: 5_000 } });
    await worker({ PREFIX: 'rr.', SHOAL_OPTIONS: options }, brokers[0]);
    await worker({ PREFIX: 'rr.', SHOAL_OPTIONS: options }, brokers[1]);
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    for (const p of processes) p.child.kill('SIGKILL');
    for (const broker of brokers) {
      broker.child.kill('SIGKILL');
      await broker.client.close();
    }
    await storage.dispose();
  });

  it("answers a Nest app's client.send('sum', [1, 2, 3]) with 6 from a worker in another process", async () => {
    @Module({ imports: [ShoalModule.forRoot({ url: brokers[0].url }), ShoalModule.registerClient()] })
    class AppModule {}
    const app: INestApplicationContext = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const shoal = app.get(ShoalClient);
    expect(await lastValueFrom(shoal.send<number>('rr.sum', [1, 2, 3]))).toBe(6);
    // A ShoalRecord carries a key and headers of its own along with the request's.
    const keyed = new ShoalRecordBuilder([4, 5]).setKey('k').setHeaders({ trace: 't1' }).build();
    expect(await lastValueFrom(shoal.send<number>('rr.sum', keyed))).toBe(9);
    expect(await replyTopics(brokers[0], 'shoal.replies')).toHaveLength(1);
    await app.close();
    // The app's shutdown closed the client, which deleted its reply topic.
    expect(await replyTopics(brokers[0], 'shoal.replies')).toEqual([]);
  });

  it('gives 100 concurrent sends from each of two client processes, on two brokers, their own answers', async () => {
    const [a, b] = await Promise.all([
      spawnFixture(CLIENT, { SHOAL_URL: brokers[0].url, PREFIX: 'rr.', COUNT: '100', BASE: '1000' }),
      spawnFixture(CLIENT, {
        SHOAL_URL: brokers[1].url,
        PREFIX: 'rr.',
        COUNT: '100',
        BASE: '2000',
        VIA: 'clients-module',
      }),
    ]);
    processes.push(a, b);
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(await b.exited).toEqual({ code: 0, signal: null });
    const answersOf = (p: WorkerProcess) => (p.events as unknown as Answers[]).find((e) => e.event === 'answers');
    expect(answersOf(a)?.answers).toEqual(Array.from({ length: 100 }, (_, i) => i + 1000));
    expect(answersOf(b)?.answers).toEqual(Array.from({ length: 100 }, (_, i) => i + 2000));
    // Both workers answered some, each answer reached the instance that asked.
    const starts = processes.slice(0, 2).map((p) => p.events.filter((e) => e.event === 'start').length);
    expect(starts[0] + starts[1]).toBeGreaterThanOrEqual(200);
    expect(await replyTopics(brokers[0], 'shoal.replies')).toEqual([]);
  }, 60_000);

  it("errors the caller's observable with the handler's error, in RpcException shape", async () => {
    const shoal = client();
    await expect(lastValueFrom(shoal.send('rr.fail', { message: 'no such account' }))).rejects.toEqual({
      status: 'error',
      message: 'no such account',
    });
    await expect(lastValueFrom(shoal.send('rr.fail-rpc', { message: 'refused' }))).rejects.toEqual({
      status: 'error',
      message: 'refused',
      code: 'E_REFUSED',
    });
    // The failed request was rejected (not run again): the group has nothing left in flight.
    await until(async () => {
      const { partitions } = await brokers[0].client.describeShareGroup('rpc');
      const failed = partitions.find((p) => p.topic === 'rr.fail');
      return failed?.acquired === 0 && failed.available === 0;
    }, 10_000);
  });

  it('errors a send with no answer within replyTimeoutMs and drops the late answer', async () => {
    const shoal = client({ replyTimeoutMs: 2_000 });
    const started = Date.now();
    const error: unknown = await lastValueFrom(shoal.send('rr.slow', { ms: 5_000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShoalReplyTimeoutError);
    expect((error as Error).message).toBe('no reply to rr.slow within 2000 ms');
    expect(Date.now() - started).toBeLessThan(4_000);
    // Requests made meanwhile get only their own answers, also when the late one comes.
    expect(await lastValueFrom(shoal.send<number>('rr.sum', [40, 2]).pipe(toArray()))).toEqual([42]);
    const answers: number[] = [];
    while (Date.now() - started < 6_000) answers.push(await firstValueFrom(shoal.send<number>('rr.sum', [1])));
    expect(new Set(answers)).toEqual(new Set([1]));
  });

  it('answers in consumer mode too, each value of an Observable in order', async () => {
    await worker({ PREFIX: 'rc.', SHOAL_OPTIONS: JSON.stringify({ mode: 'consumer', group: 'rpc-consumers' }) });
    const shoal = client({}, brokers[1]);
    expect(await lastValueFrom(shoal.send<number>('rc.sum', [4, 5]))).toBe(9);
    expect(await lastValueFrom(shoal.send<number>('rc.count', {}).pipe(toArray()))).toEqual([1, 2, 3]);
  });

  it('gives one answer when the worker is SIGKILLed mid-request and the request is run again', async () => {
    const options = JSON.stringify({ group: 'rpc-killed', groupConfig: { recordLockDurationMs: 2_000 } });
    const first = await worker({ PREFIX: 'rk.', SHOAL_OPTIONS: options, STREAM_WAIT_MS: '60000' });
    const shoal = client();
    const values: number[] = [];
    const done = lastValueFrom(shoal.send<number>('rk.count', {}).pipe(toArray()));
    shoal
      .send<number>('rk.count', {})
      .subscribe(() => undefined)
      .unsubscribe(); // dropped at once
    const seen = new Promise<void>((resolve) =>
      shoal.send<number>('rk.count', {}).subscribe({ next: (v) => values.push(v), complete: resolve }),
    );
    // The first worker has sent the stream's first value and waits on the rest: killed there.
    await until(() => first.events.filter((e) => e.event === 'start').length >= 2, 10_000);
    await until(() => values.length === 1, 10_000);
    first.child.kill('SIGKILL');
    const second = await worker({ PREFIX: 'rk.', SHOAL_OPTIONS: options, STREAM_WAIT_MS: '200' });
    expect(await done).toEqual([1, 2, 3]);
    await seen;
    expect(values).toEqual([1, 2, 3]);
    // The second worker ran the requests again after the lock ran out: their second delivery.
    expect(second.events.filter((e) => e.event === 'start').map((e) => e.delivery)).toContain(2);
  }, 60_000);

  it('answers in the transaction of the accept: a run whose lock ran out answers nothing, the run that settles answers', async () => {
    const options = { group: 'rpc-expired', autoRenewLocks: false, groupConfig: { recordLockDurationMs: 1_000 } };
    const worker_ = await worker({ PREFIX: 'rx.', SHOAL_OPTIONS: JSON.stringify(options) });
    const shoal = client({ replyTopicPrefix: 'expired' });
    // The first run outlives its lock: the record is run again (fast), and that run answers.
    expect(await lastValueFrom(shoal.send<string>('rx.slow-first', { ms: 2_000 }))).toBe('delivery 2');
    // The first run's accept, with its reply, comes after: refused, and its reply with it.
    await until(() => worker_.log().includes('acknowledgements refused'), 10_000);
    const [topic] = await replyTopics(brokers[0], 'expired');
    expect((await brokers[0].client.describeTopic(topic)).partitions[0].endOffset).toBe(1);
    // A request whose caller closed (its reply topic deleted) is still accepted, once.
    const gone = client({ replyTopicPrefix: 'gone' });
    const answer = lastValueFrom(gone.send('rx.slow', { ms: 300 })).catch((e: unknown) => e);
    await until(() => worker_.events.some((e) => e.topic === 'rx.slow'), 10_000);
    await gone.close();
    expect(await answer).toBeInstanceOf(Error);
    await until(async () => {
      const { partitions } = await brokers[0].client.describeShareGroup('rpc-expired');
      const slow = partitions.find((p) => p.topic === 'rx.slow');
      return slow?.acquired === 0 && slow.available === 0;
    }, 10_000);
    expect(worker_.events.filter((e) => e.topic === 'rx.slow')).toHaveLength(1);
  });

  it("bounds reply data: replies are deleted after the reply topic's retention, the topic on close", async () => {
    const shoal = client({ replyTopicPrefix: 'bounded', replyRetentionMs: 1_000 }, brokers[1]);
    for (let i = 0; i < 5; i++) expect(await lastValueFrom(shoal.send<number>('rr.sum', [i]))).toBe(i);
    const [topic] = await replyTopics(brokers[1], 'bounded');
    const described = await brokers[1].client.describeTopic(topic);
    expect(described.config.retentionMs).toBe(1_000);
    expect(described.partitions[0].endOffset).toBe(5);
    // Read or not, replies older than the retention go (the topic is kept while the client lives).
    await until(async () => (await brokers[1].client.describeTopic(topic)).partitions[0].startOffset === 5, 15_000);
    await shoal.close();
    expect(await replyTopics(brokers[1], 'bounded')).toEqual([]);
    // Closed and used again: a new reply topic.
    expect(await lastValueFrom(shoal.send<number>('rr.sum', [7]))).toBe(7);
    expect(await replyTopics(brokers[1], 'bounded')).toHaveLength(1);
  });

  it('deletes the reply topic of a client killed without close once unused replyTopicIdleMs, not a live one', async () => {
    // 3 s, not the 1 s floor: the live client reads its topic every 750 ms, so a loaded machine's
    // stall (a CI run's test workers on two cores) is not taken for a dead client.
    const idle = { replyTopicPrefix: 'orphan', replyTopicIdleMs: 3_000 };
    const killed = await spawnFixture(CLIENT, {
      SHOAL_URL: brokers[0].url,
      PREFIX: 'rr.',
      COUNT: '3',
      STAY: '1',
      CLIENT_OPTIONS: JSON.stringify(idle),
    });
    processes.push(killed);
    await until(() => (killed.events as unknown as Answers[]).some((e) => e.event === 'answers'), 30_000);
    const live = client({ ...idle, replyTopicPrefix: 'kept' }, brokers[1]);
    expect(await lastValueFrom(live.send<number>('rr.sum', [1, 2]))).toBe(3);
    const [orphan] = await replyTopics(brokers[0], 'orphan');
    expect((await brokers[0].client.describeTopic(orphan)).config.deleteAfterIdleMs).toBe(3_000);
    killed.child.kill('SIGKILL');
    // Either broker's retention sweep may delete it, once neither has seen it used for 3 s.
    await until(async () => (await replyTopics(brokers[1], 'orphan')).length === 0, 20_000);
    // The live client, idle all this while, kept its topic in use and still gets answers.
    const [kept] = await replyTopics(brokers[1], 'kept');
    expect(kept).toBeDefined();
    expect(await lastValueFrom(live.send<number>('rr.sum', [2, 3]))).toBe(5);
    expect(await replyTopics(brokers[1], 'kept')).toEqual([kept]);
  });
});
