import { ErrorCode, type RecordPosition } from '@shoal/protocol';
import { ProduceService } from '../../src/log/produce.service.js';
import { spawnBroker, stopBroker } from '../support/broker-process.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { createTestStorage, STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${ProduceService.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind);
  });
  afterAll(() => log.close());

  it('assigns contiguous offsets from 0 under 20 concurrent producers', async () => {
    await log.topics.create('contiguous', 3, undefined);
    const producers = Array.from({ length: 20 }, async (_, p) => {
      const positions: { position: RecordPosition; value: string }[] = [];
      for (let request = 0; request < 10; request++) {
        const values = Array.from({ length: 1 + ((p + request) % 7) }, (_, i) => `p${p}-r${request}-${i}`);
        const answer = await log.produce(
          'contiguous',
          values.map((value) => ({ value })),
        );
        answer.forEach((position, i) => positions.push({ position, value: values[i] }));
      }
      return positions;
    });
    const all = (await Promise.all(producers)).flat();

    for (let partition = 0; partition < 3; partition++) {
      const mine = all
        .filter((p) => p.position.partition === partition)
        .sort((a, b) => a.position.offset - b.position.offset);
      expect(mine.map((p) => p.position.offset)).toEqual(mine.map((_, i) => i));
      const read = await log.reader.read('contiguous', partition, { offset: 0, maxRecords: 10_000, maxWaitMs: 0 });
      expect(read.records.map((r) => r.value)).toEqual(mine.map((p) => p.value));
      expect(read.endOffset).toBe(mine.length);
    }
  });

  it('answers offsets in request order, each record on the partition it asked for', async () => {
    await log.topics.create('ordered', 4, undefined);
    const answer = await log.produce('ordered', [
      { value: 'a', partition: 3 },
      { value: 'b', partition: 0 },
      { value: 'c', partition: 3 },
    ]);
    expect(answer).toEqual([
      { partition: 3, offset: 0 },
      { partition: 0, offset: 0 },
      { partition: 3, offset: 1 },
    ]);
  });

  it('writes nothing of a batch with an unknown partition, while concurrent batches land', async () => {
    await log.topics.create('all-or-nothing', 2, undefined);
    const good = Array.from({ length: 10 }, (_, i) => log.produce('all-or-nothing', [{ value: i, partition: i % 2 }]));
    const bad = log.produce('all-or-nothing', [
      { value: 'x', partition: 0 },
      { value: 'y', partition: 2 },
    ]);
    await expect(bad).rejects.toMatchObject({ code: ErrorCode.UnknownPartition });
    await Promise.all(good);
    const topic = await log.topics.describe('all-or-nothing');
    expect(topic.partitions.map((p) => p.endOffset)).toEqual([5, 5]);
    const read = await log.reader.read('all-or-nothing', 0, { offset: 0, maxRecords: 100, maxWaitMs: 0 });
    expect(read.records.map((r) => r.value)).not.toContain('x');
  });

  it('refuses a produce to an unknown topic', async () => {
    await expect(log.produce('no-such-topic', [{ value: 1 }])).rejects.toMatchObject({ code: ErrorCode.UnknownTopic });
  });

  it('puts keyed records where Kafka would, and spreads keyless ones evenly', async () => {
    await log.topics.create('keyed', 10, undefined);
    const keyed = await log.produce('keyed', [{ key: 'abc', value: 1 }]);
    expect(keyed[0].partition).toBe(479470107 % 10);
    const keyless = await log.produce(
      'keyed',
      Array.from({ length: 100 }, (_, i) => ({ value: i })),
    );
    const counts = new Array(10).fill(0);
    for (const p of keyless) counts[p.partition]++;
    expect(counts).toEqual(new Array(10).fill(10));
  });
});

describe.each(STORAGE_KINDS)('two broker processes on one %s database', (kind) => {
  it('keep offsets contiguous when both produce to the same partitions', async () => {
    const storage = await createTestStorage(kind);
    const brokers = [await spawnBroker(storage.storage.url), await spawnBroker(storage.storage.url)];
    try {
      await brokers[0].client.createTopic({ name: 'shared', partitions: 2 });
      const produce = (b: number) =>
        Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            brokers[b].client.produce('shared', [
              { value: `${b}-${i}`, partition: i % 2 },
              { value: `${b}-${i}b`, partition: i % 2 },
            ]),
          ),
        );
      const answers = (await Promise.all([produce(0), produce(1)])).flat().flatMap((a) => a.offsets);
      for (const partition of [0, 1]) {
        const offsets = answers
          .filter((a) => a.partition === partition)
          .map((a) => a.offset)
          .sort((a, b) => a - b);
        expect(offsets).toEqual(offsets.map((_, i) => i));
      }
      expect((await brokers[1].client.describeTopic('shared')).partitions.map((p) => p.endOffset)).toEqual([60, 60]);
    } finally {
      // Gone before their database is: a broker still shutting down kept the jest worker alive.
      await Promise.all(brokers.map((broker) => stopBroker(broker)));
      await storage.dispose();
    }
  });
});
