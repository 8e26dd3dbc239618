import { randomBytes } from 'node:crypto';
import type { RecordPosition } from '@shoal/protocol';
import { spawnBroker } from '../support/broker-process.js';
import { openLogContext } from '../support/log-context.js';
import { createTestStorage, STORAGE_KINDS, type TestStorage } from '../support/storage.js';

describe.each(STORAGE_KINDS)('a broker killed with SIGKILL mid-produce on %s', (kind) => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
  });
  afterAll(() => storage.dispose());

  it('keeps every record it acknowledged', async () => {
    const broker = await spawnBroker(storage.storage.url);
    await broker.client.createTopic({ name: 'crash', partitions: 4 });
    const acknowledged: { position: RecordPosition; bytes: Buffer }[] = [];
    let stop = false;
    const producers = Array.from({ length: 8 }, async (_, p) => {
      for (let request = 0; !stop; request++) {
        const blobs = Array.from({ length: 1 + ((p * 7 + request) % 20) }, () =>
          randomBytes(16 + Math.floor(Math.random() * 200)),
        );
        try {
          const answer = await broker.client.produce(
            'crash',
            blobs.map((b) => ({ valueBase64: b.toString('base64') })),
          );
          answer.offsets.forEach((position, i) => acknowledged.push({ position, bytes: blobs[i] }));
        } catch {
          return; // the broker is gone
        }
      }
    });
    while (acknowledged.length < 2_000) await new Promise((resolve) => setTimeout(resolve, 10));
    const exited = new Promise((resolve) => broker.child.once('exit', resolve));
    broker.child.kill('SIGKILL');
    stop = true;
    await Promise.all(producers);
    await exited;

    const log = await openLogContext(kind, Date.now(), storage);
    try {
      for (let partition = 0; partition < 4; partition++) {
        const read = await log.reader.read('crash', partition, { offset: 0, maxRecords: 10_000, maxWaitMs: 0 });
        const stored = new Map(read.records.map((r) => [r.offset, Buffer.from(r.valueBase64!, 'base64')]));
        expect(read.records.map((r) => r.offset)).toEqual(read.records.map((_, i) => i));
        for (const { position, bytes } of acknowledged.filter((a) => a.position.partition === partition)) {
          expect(stored.get(position.offset)).toEqual(bytes);
        }
      }
    } finally {
      await log.close();
    }
  });
});
