import { jest } from '@jest/globals';
import { UnknownTopicError } from '../../src/platform/errors/index.js';
import { PURGE_CHUNK, TopicPurger } from '../../src/log/topic-purger.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';
import { until } from '../support/until.js';
import { topicPurgeStore } from '../../src/log/storage/topic-purge.store.js';

/** Records stored: rows, and records in packs (SQLite's large appends, record-packs.store.ts). */
const storedRecords = (log: LogContext) =>
  log.database.run(async (sql) =>
    Number(
      (
        await sql.rows<{ n: number }>(
          `SELECT (SELECT COUNT(*) FROM shoal_record)
             + (SELECT COALESCE(SUM(last_offset - base_offset + 1), 0) FROM shoal_record_pack) AS n`,
        )
      )[0].n,
    ),
  );

describe.each(STORAGE_KINDS)(`${TopicPurger.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind);
  });
  afterAll(() => log.close());

  it('a deleted topic is gone at once for every route while its records are removed in chunks', async () => {
    await log.topics.create('purged', 2, undefined);
    await log.topics.create('kept', 1, undefined);
    for (let batch = 0; batch < 12; batch++)
      await log.produce(
        'purged',
        Array.from({ length: 1_000 }, (_, i) => ({ key: `k${i}`, value: { batch } })),
      );
    await log.produce('kept', [{ value: 'stays' }]);
    // Stop the background runs so the test drives the purge itself.
    await log.purger.onApplicationShutdown();
    const stopped = log.purger;

    await log.topics.delete('purged');
    await expect(log.topics.describe('purged')).rejects.toBeInstanceOf(UnknownTopicError);
    await expect(log.reader.read('purged', 0, { maxRecords: 1, maxWaitMs: 0 })).rejects.toBeInstanceOf(
      UnknownTopicError,
    );
    expect(await storedRecords(log)).toBe(12_001);
    // A topic created again under the name starts empty, whatever is left of the old one.
    await log.topics.create('purged', 1, undefined);
    expect((await log.reader.read('purged', 0, { offset: 0, maxRecords: 10, maxWaitMs: 0 })).records).toEqual([]);

    await log.restart(); // a fresh purger; the pending purge is in the database, not in memory
    expect(log.purger).not.toBe(stopped);
    const chunks: number[] = [];
    for (let n = await log.purger.step(); n > 0; n = await log.purger.step()) {
      chunks.push(n);
      expect(await storedRecords(log)).toBe(12_001 - chunks.reduce((a, b) => a + b, 0));
    }
    expect(chunks).toEqual([PURGE_CHUNK, PURGE_CHUNK, 12_000 - 2 * PURGE_CHUNK]);
    expect(await storedRecords(log)).toBe(1);
    expect((await log.reader.read('kept', 0, { offset: 0, maxRecords: 10, maxWaitMs: 0 })).records).toHaveLength(1);
    expect(await log.purger.sweep()).toBe(0);
  });

  it('a sweep called while one runs removes the topics deleted after that one listed them', async () => {
    await log.topics.create('late', 1, undefined);
    await log.produce('late', [{ value: 'a' }, { value: 'b' }]);
    // A sweep (the timer's, say) lists the deleted topics, then is held before its first chunk
    // (after its read: the database is free meanwhile).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const list = topicPurgeStore.pending.bind(topicPurgeStore);
    let heldList: number[] | undefined;
    const listed = jest
      .spyOn(topicPurgeStore, 'pending')
      .mockImplementationOnce(async (sql) => (heldList = await list(sql)));
    const run = log.database.run.bind(log.database);
    const held = jest.spyOn(log.database, 'run').mockImplementation((async (work: Parameters<typeof run>[0]) => {
      const result = await run(work);
      if (result === heldList) await gate;
      return result;
    }) as typeof run);
    try {
      const early = log.purger.sweep();
      await until(() => heldList !== undefined);
      await log.topics.delete('late');
      const after = log.purger.sweep();
      release();
      await early;
      expect(await after).toBe(2);
      expect(await storedRecords(log)).toBe(1); // 'kept''s one
    } finally {
      listed.mockRestore();
      held.mockRestore();
    }
  });
});
