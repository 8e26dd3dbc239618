import type { Acknowledgement } from '@shoal/protocol';
import { RetentionService } from '../../src/log/retention.service.js';
import { DeadLetterRedriveService } from '../../src/operations/dead-letter-redrive.service.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { failure, rawRequest } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

/** Issue 27: a redrive into one share group makes its dead-lettered records available there only. */
describe.each(STORAGE_KINDS)(`${DeadLetterRedriveService.name} into one group on %s`, (kind) => {
  let storage: TestStorage;
  let broker: TestBroker;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    broker = await startBroker(testConfig(storage.storage));
  });
  afterAll(async () => {
    await broker.client.close();
    await broker.close();
    await storage.dispose();
  });

  /** A member of `group` reading `topic` from the start: fetch, and acks by type. */
  async function member(group: string, topic: string) {
    const { client } = broker;
    const { memberId } = await client.joinShareGroup(group, { topics: [topic] });
    const fetch = async () =>
      (await client.shareFetch(group, memberId, { maxRecords: 100 })).records.map((r) => [
        r.offset,
        r.deliveryCount,
        r.value,
      ]);
    const ack = (type: Acknowledgement['type'], ...offsets: number[]) =>
      client.acknowledge(
        group,
        memberId,
        offsets.map((offset) => ({ topic, partition: 0, offset, type })),
      );
    return { fetch, ack };
  }
  const describe = async (group: string) => (await broker.client.describeShareGroup(group)).partitions[0];

  it('reopens the records the group dead-lettered, below its start or inside its window, and no other group reruns them', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'rg-jobs', partitions: 1 });
    await client.createTopic({ name: 'rg-dlq', partitions: 1 });
    await client.updateShareGroupConfig('rg-failing', { autoOffsetReset: 'earliest', deadLetterTopic: 'rg-dlq' });
    await client.updateShareGroupConfig('rg-other', { autoOffsetReset: 'earliest' });
    await client.produce(
      'rg-jobs',
      ['a', 'b', 'c', 'd'].map((value) => ({ value })),
    );
    const failing = await member('rg-failing', 'rg-jobs');
    const other = await member('rg-other', 'rg-jobs');
    expect((await failing.fetch()).map((r) => r[0])).toEqual([0, 1, 2, 3]);
    await failing.ack('reject', 1, 3);
    await failing.ack('accept', 0, 2);
    expect(await describe('rg-failing')).toMatchObject({ startOffset: 4, lag: 0 });
    expect((await other.fetch()).map((r) => r[0])).toEqual([0, 1, 2, 3]);
    await other.ack('accept', 0, 1, 2, 3);
    await client.produce('rg-dlq', [{ value: 'stray, no shoal.dlq.* headers' }]);

    expect(await client.redrive('rg-dlq', { group: 'rg-other' })).toEqual({
      redriven: 0,
      alreadyRedriven: 0,
      skipped: 3,
    });
    expect(await client.redrive('rg-dlq', { group: 'rg-failing' })).toEqual({
      redriven: 2,
      alreadyRedriven: 0,
      skipped: 1,
    });
    expect((await client.describeTopic('rg-jobs')).partitions[0].endOffset).toBe(4); // nothing appended
    expect(await describe('rg-failing')).toMatchObject({ startOffset: 1, endOffset: 4, available: 2, lag: 2 });
    expect(await failing.fetch()).toEqual([
      [1, 1, 'b'],
      [3, 1, 'd'],
    ]);
    expect(await other.fetch()).toEqual([]); // the other group does not run them again
    expect(await describe('rg-other')).toMatchObject({ startOffset: 4, lag: 0 });

    // Once, in either mode.
    expect(await client.redrive('rg-dlq', { group: 'rg-failing' })).toEqual({
      redriven: 0,
      alreadyRedriven: 2,
      skipped: 1,
    });
    expect(await client.redrive('rg-dlq')).toEqual({ redriven: 0, alreadyRedriven: 2, skipped: 1 });
    await failing.ack('accept', 1, 3);
    expect(await describe('rg-failing')).toMatchObject({ startOffset: 4, lag: 0 });

    // A record archived inside the window (an earlier one still held) is reopened in place.
    await client.produce('rg-jobs', [{ value: 'e' }, { value: 'f' }]);
    expect((await failing.fetch()).map((r) => r[0])).toEqual([4, 5]);
    await failing.ack('reject', 5);
    expect(await describe('rg-failing')).toMatchObject({ startOffset: 4, archived: 1 });
    expect(await client.redrive('rg-dlq', { group: 'rg-failing', offset: 3 })).toEqual({
      redriven: 1,
      alreadyRedriven: 0,
      skipped: 0,
    });
    expect(await failing.fetch()).toEqual([[5, 1, 'f']]);
    await failing.ack('accept', 4, 5);
    expect(await describe('rg-failing')).toMatchObject({ startOffset: 6, lag: 0 });
  });

  it('skips records whose original is gone from the log, and refuses an unknown or bad group', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'rg-gone', partitions: 1, config: { retentionMs: 1 } });
    await client.createTopic({ name: 'rg-gone-dlq', partitions: 1 });
    await client.updateShareGroupConfig('rg-gone-workers', {
      autoOffsetReset: 'earliest',
      deadLetterTopic: 'rg-gone-dlq',
    });
    await client.produce('rg-gone', [{ value: 'x', timestamp: 1 }]);
    const workers = await member('rg-gone-workers', 'rg-gone');
    expect((await workers.fetch()).map((r) => r[0])).toEqual([0]);
    await workers.ack('reject', 0);
    await broker.app.get(RetentionService).sweep(broker.clock.now()); // the original is older than 1 ms
    expect((await client.describeTopic('rg-gone')).partitions[0].startOffset).toBe(1);
    expect(await client.redrive('rg-gone-dlq', { group: 'rg-gone-workers' })).toEqual({
      redriven: 0,
      alreadyRedriven: 0,
      skipped: 1,
    });
    // Still there to copy in the append mode.
    expect(await client.redrive('rg-gone-dlq')).toEqual({ redriven: 1, alreadyRedriven: 0, skipped: 0 });
    expect(await failure(client.redrive('rg-gone-dlq', { group: 'rg-nobody' }))).toEqual({
      status: 404,
      code: 'UNKNOWN_GROUP',
    });
    for (const group of ['bad name', '', null, 7]) {
      const answer = await rawRequest(`${broker.url}/v1/topics/rg-gone-dlq/redrive`, 'POST', JSON.stringify({ group }));
      expect([answer.status, answer.body.error.code]).toEqual([400, 'INVALID_NAME']);
    }
  });
});
