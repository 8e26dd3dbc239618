import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KafkaListener } from '../../src/kafka/kafka.listener.js';
import { type BrokerProcess, freePort, spawnBroker } from '../support/broker-process.js';

const run = promisify(execFile);

/** kcat (librdkafka 2.0, Debian's `kcat` package; `.ci/run` installs it) against the built broker. */
describe(`${KafkaListener.name} with kcat`, () => {
  let dir: string;
  let broker: BrokerProcess;
  let bootstrap: string;

  async function kcat(args: string[], input?: string | Buffer): Promise<string> {
    const child = run('kcat', ['-b', bootstrap, ...args], { timeout: 30_000 });
    if (input !== undefined) child.child.stdin!.end(input);
    return (await child).stdout;
  }

  /** kcat's raw stdout, bytes as written. */
  async function kcatBytes(args: string[]): Promise<Buffer> {
    return (await run('kcat', ['-b', bootstrap, ...args], { timeout: 30_000, encoding: 'buffer' })).stdout;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-kcat-'));
    const port = await freePort();
    bootstrap = `127.0.0.1:${port}`;
    broker = await spawnBroker(`sqlite:${join(dir, 'shoal.db')}`, undefined, { SHOAL_KAFKA_PORT: String(port) });
  });
  afterAll(() => {
    broker.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists brokers, topics and partitions with -L', async () => {
    await broker.client.createTopic({ name: 'kcat-meta', partitions: 3 });
    const metadata = JSON.parse(await kcat(['-L', '-J'])) as {
      brokers: Array<{ id: number; name: string }>;
      topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
    };
    expect(metadata.brokers).toEqual([{ id: expect.any(Number), name: bootstrap }]);
    const topic = metadata.topics.find((t) => t.topic === 'kcat-meta')!;
    expect(topic.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(topic.partitions.every((p) => p.leader === metadata.brokers[0]!.id)).toBe(true);
  });

  it('produces with -P (keys, headers) what HTTP reads, and consumes with -C what HTTP produced', async () => {
    await broker.client.createTopic({ name: 'kcat-data', partitions: 1 });
    await kcat(['-P', '-t', 'kcat-data', '-p', '0', '-K:', '-H', 'trace=abc'], 'a:{"x":1}\nb:hello\n');
    await broker.client.produce('kcat-data', [{ key: 'c', value: { from: 'http' }, headers: { h: 'v' } }]);
    const { records } = await broker.client.read('kcat-data', 0, { offset: 0, maxRecords: 10 });
    expect(records.map((r) => [r.key, r.value ?? Buffer.from(r.valueBase64!, 'base64').toString(), r.headers])).toEqual(
      [
        ['a', { x: 1 }, { trace: 'abc' }],
        ['b', 'hello', { trace: 'abc' }],
        ['c', { from: 'http' }, { h: 'v' }],
      ],
    );
    const consumed = (await kcat(['-C', '-t', 'kcat-data', '-o', 'beginning', '-e', '-J']))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { offset: number; key: string; payload: string; headers: string[] });
    expect(consumed.map((m) => [m.offset, m.key, m.payload, m.headers])).toEqual([
      [0, 'a', '{"x":1}', ['trace', 'abc']],
      [1, 'b', 'hello', ['trace', 'abc']],
      [2, 'c', '{"from":"http"}', ['h', 'v']],
    ]);
  });

  it('consumes from an offset and from the end with -o', async () => {
    await broker.client.createTopic({ name: 'kcat-offsets', partitions: 1 });
    await broker.client.produce(
      'kcat-offsets',
      [1, 2, 3, 4].map((value) => ({ value })),
    );
    const fromTwo = await kcat(['-C', '-t', 'kcat-offsets', '-p', '0', '-o', '2', '-e', '-f', '%o=%s\n']);
    expect(fromTwo.trim().split('\n')).toEqual(['2=3', '3=4']);
    const last = await kcat(['-C', '-t', 'kcat-offsets', '-p', '0', '-o', '-1', '-e', '-f', '%o=%s\n']);
    expect(last.trim()).toBe('3=4');
  });

  it('produces a binary key (-K, from a file of hex-decoded bytes) and a tombstone (-Z) that kcat and HTTP read back exactly', async () => {
    await broker.client.createTopic({ name: 'kcat-bytes', partitions: 1 });
    const key = Buffer.from('00fffe80c328', 'hex');
    const file = join(dir, 'binary-key-input');
    // Two messages, key and value split at '|': a binary key with a value, and a key with an empty value that -Z sends as null.
    writeFileSync(file, Buffer.concat([key, Buffer.from('|bin\nk2|\n')]));
    await kcat(['-P', '-t', 'kcat-bytes', '-p', '0', '-K|', '-Z'], readFileSync(file));
    const { records } = await broker.client.read('kcat-bytes', 0, { offset: 0, maxRecords: 10 });
    expect(records.map((r) => [r.key, r.keyBase64, r.valueBase64, r.tombstone])).toEqual([
      [undefined, key.toString('base64'), Buffer.from('bin').toString('base64'), undefined],
      ['k2', undefined, undefined, true],
    ]);
    // kcat reads them back: key length and bytes, value (-Z prints a null value as NULL).
    const out = await kcatBytes([
      '-C',
      '-t',
      'kcat-bytes',
      '-p',
      '0',
      '-o',
      'beginning',
      '-e',
      '-Z',
      '-f',
      '%K:%k|%s\n',
    ]);
    expect(out.toString('hex')).toBe(
      Buffer.concat([Buffer.from('6:'), key, Buffer.from('|bin\n2:k2|NULL\n')]).toString('hex'),
    );
  });

  // Static membership (JoinGroup v5+): see kafka-static-membership.e2e.spec.ts for the wire-level tests.
  it('lets kcat (librdkafka 2.x, JoinGroup v5) restart with group.instance.id without a new generation', async () => {
    await broker.client.createTopic({ name: 'kcat-static', partitions: 2 });
    await broker.client.produce('kcat-static', [
      { value: 'one', partition: 0 },
      { value: 'two', partition: 1 },
    ]);
    const consume = async () =>
      (
        await run(
          'kcat',
          [
            '-b',
            bootstrap,
            '-G',
            'kcat-static-group',
            '-X',
            'group.instance.id=kcat-1',
            '-X',
            'auto.offset.reset=earliest',
            '-e',
            '-f',
            '%s\n',
            'kcat-static',
          ],
          { timeout: 30_000 },
        )
      ).stdout;
    expect((await consume()).trim().split('\n').sort()).toEqual(['"one"', '"two"']);
    const first = await broker.client.describeConsumerGroup('kcat-static-group');
    expect(first).toMatchObject({ protocol: 'kafka', generation: 1 });
    await broker.client.produce('kcat-static', [{ value: 'three', partition: 0 }]);
    // A static member does not leave on close: the restart takes its place in generation 1.
    expect((await consume()).trim()).toBe('"three"');
    const second = await broker.client.describeConsumerGroup('kcat-static-group');
    expect(second.generation).toBe(1);
    expect(second.members).toHaveLength(1);
    expect(second.members[0]!.memberId).not.toBe(first.members[0]!.memberId);
    expect(second.members[0]!.memberId.startsWith('kcat-1-')).toBe(true);
  }, 60_000);

  it('produces in a transaction (-X transactional.id: InitProducerId, AddPartitionsToTxn, EndTxn) that read_committed reads', async () => {
    await broker.client.createTopic({ name: 'kcat-txn', partitions: 2 });
    const file = join(dir, 'txn-input');
    writeFileSync(file, 'a:one\nb:two\nc:three\n');
    const produced = await run(
      'kcat',
      ['-b', bootstrap, '-P', '-t', 'kcat-txn', '-K:', '-l', file, '-X', 'transactional.id=kcat-txn'],
      { timeout: 30_000 },
    );
    expect(produced.stderr).toContain('Transaction successfully committed');
    const consumed = await kcat([
      '-C',
      '-t',
      'kcat-txn',
      '-o',
      'beginning',
      '-e',
      '-X',
      'isolation.level=read_committed',
      '-f',
      '%k=%s\n',
    ]);
    expect(consumed.trim().split('\n').sort()).toEqual(['a=one', 'b=two', 'c=three']);
  });
});
