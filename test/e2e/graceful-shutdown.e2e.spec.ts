import { ShoalHttpClient } from '@shoal/client';
import type { RecordPosition } from '@shoal/protocol';
import { LongPollCloser } from '../../src/platform/long-poll-closer.js';
import { spawnBroker } from '../support/broker-process.js';
import { openLogContext } from '../support/log-context.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { until } from '../support/until.js';

const GRACE_MS = 8_000;

describe(LongPollCloser.name, () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
  });
  afterAll(() => storage.dispose());

  it('on SIGTERM answers 50 waiting long polls and every in-flight produce, keeps them, and exits within the grace period', async () => {
    const broker = await spawnBroker(storage.storage.url, undefined, { SHOAL_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    // No retries: a reset connection would show as an error here, not be papered over.
    const client = new ShoalHttpClient({ url: broker.url, timeoutMs: 60_000, retry: { retries: 0 } });
    try {
      await client.createTopic({ name: 'drain', partitions: 2 });
      await client.createTopic({ name: 'idle', partitions: 1 });
      const polls = Array.from({ length: 50 }, () =>
        client.read('idle', 0, { offset: 0, maxWaitMs: 50_000 }).then(
          (answer) => ({ ok: true as const, records: answer.records.length }),
          (error: unknown) => ({ ok: false as const, error: String(error) }),
        ),
      );
      const acknowledged: RecordPosition[] = [];
      const failures: string[] = [];
      let stop = false;
      const producers = Array.from({ length: 4 }, async (_, p) => {
        for (let n = 0; !stop; n++) {
          try {
            const answer = await client.produce('drain', [{ key: `p${p}`, value: { n } }]);
            acknowledged.push(...answer.offsets);
          } catch (error) {
            // After the server stopped accepting, a new connection is refused; anything else is a failure.
            if (!/ECONNREFUSED|refused/i.test(String(error) + String((error as Error).cause)))
              failures.push(String(error));
            return;
          }
        }
      });
      await until(() => acknowledged.length >= 200);
      const started = Date.now();
      // Nest re-raises the signal once closed: a clean exit is by SIGTERM; the grace cut-off exits with 1.
      const exited = new Promise<string>((resolve) =>
        broker.child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
      );
      broker.child.kill('SIGTERM');
      const answers = await Promise.all(polls);
      stop = true;
      await Promise.all(producers);
      const code = await exited;
      const took = Date.now() - started;

      expect(answers.filter((a) => !a.ok)).toEqual([]);
      expect(answers).toHaveLength(50);
      expect(failures).toEqual([]);
      expect(code).toBe('SIGTERM');
      expect(took).toBeLessThan(GRACE_MS);

      const log = await openLogContext('sqlite', Date.now(), storage);
      try {
        for (const position of acknowledged) {
          const read = await log.reader.read('drain', position.partition, {
            offset: position.offset,
            maxRecords: 1,
            maxWaitMs: 0,
          });
          expect(read.records.map((r) => r.offset)).toEqual([position.offset]);
        }
      } finally {
        await log.close();
      }
    } finally {
      await client.close();
      broker.child.kill('SIGKILL');
    }
  });
});
