import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerKafka } from '@nestjs/microservices';
import { type BrokerProcess, freePort, spawnBroker } from '../support/broker-process.js';
import { until } from '../support/until.js';

interface Program {
  child: ChildProcess;
  lines: { event: string; message?: { heroId: number; dragonId: number }; count?: number }[];
  log(): string;
  exited: Promise<number | null>;
}

/** A built fixture (test/fixtures) in its own process, its JSON lines collected. */
function run(fixture: string, env: Record<string, string>): Program {
  const child = spawn(process.execPath, [`dist/test/fixtures/${fixture}.js`], {
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Program['lines'] = [];
  let log = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.startsWith('{"event"')) lines.push(JSON.parse(line) as Program['lines'][number]);
      else log += `${line}\n`;
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, log: () => log, exited };
}

/** NestJS's own Kafka transport, as its documentation sets it up, against Shoal's Kafka listener. */
describe(`NestJS ${ServerKafka.name} and ClientKafka against Shoal`, () => {
  let dir: string;
  let broker: BrokerProcess;
  let kafkaBroker: string;
  const programs: Program[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-kafka-nest-'));
    const kafkaPort = await freePort();
    kafkaBroker = `127.0.0.1:${kafkaPort}`;
    broker = await spawnBroker(`sqlite:${join(dir, 'shoal.db')}`, undefined, {
      SHOAL_KAFKA_PORT: String(kafkaPort),
      SHOAL_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '300',
    });
  });
  afterAll(async () => {
    for (const program of programs) {
      program.child.kill('SIGTERM');
      await program.exited;
    }
    broker.child.kill('SIGTERM');
    await new Promise((resolve) => broker.child.once('exit', resolve));
    await broker.client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers ClientKafka emits to an @EventPattern handler of a Transport.KAFKA microservice, in order', async () => {
    await broker.client.createTopic({ name: 'hero.kill.dragon', partitions: 1 });
    const service = run('kafka-heroes-service', { KAFKA_BROKER: kafkaBroker });
    programs.push(service);
    await until(() => service.lines.some((l) => l.event === 'listening'), 30_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${service.log()}`);
    });
    // The server's group (Nest appends "-server" to its default "nestjs-group") holds the partition.
    await until(async () => {
      const group = await broker.client.describeConsumerGroup('nestjs-group-server').catch(() => null);
      return group?.state === 'stable' && group.members[0]?.assignment.length === 1;
    }, 30_000);

    const client = run('kafka-heroes-client', { KAFKA_BROKER: kafkaBroker, COUNT: '20' });
    programs.push(client);
    expect(await client.exited).toBe(0);
    expect(client.lines).toEqual([{ event: 'emitted', count: 20 }]);
    await until(() => service.lines.filter((l) => l.event === 'killDragon').length >= 20, 30_000);
    expect(service.lines.filter((l) => l.event === 'killDragon').map((l) => l.message)).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ heroId: i, dragonId: i * 10 })),
    );
    const group = await broker.client.describeConsumerGroup('nestjs-group-server');
    expect(group.protocol).toBe('kafka');
    await until(async () => (await broker.client.describeConsumerGroup('nestjs-group-server')).offsets[0]?.lag === 0);
  }, 120_000);
});
