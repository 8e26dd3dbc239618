import type { JsonValue } from '@shoal/protocol';
import { DeadLetterRedriveService } from '../../src/operations/dead-letter-redrive.service.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { failure } from '../support/http.js';
import { createTestStorage, STORAGE_KINDS, testConfig, type TestStorage } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${DeadLetterRedriveService.name} and group lists on %s`, (kind) => {
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

  /** Rejects every record of `topic` through share group `group`, so they land in `dlq`. */
  async function deadLetter(topic: string, dlq: string, group: string, values: JsonValue[]): Promise<void> {
    const { client } = broker;
    await client.createTopic({ name: topic, partitions: 2 });
    await client.createTopic({ name: dlq, partitions: 1 });
    await client.updateShareGroupConfig(group, { autoOffsetReset: 'earliest', deadLetterTopic: dlq });
    await client.produce(
      topic,
      values.map((value, i) => ({ key: `k${i}`, value, partition: i % 2, headers: { trace: `t${i}` } })),
    );
    const { memberId } = await client.joinShareGroup(group, { topics: [topic] });
    const { records } = await client.shareFetch(group, memberId, { maxRecords: 100 });
    expect(records).toHaveLength(values.length);
    await client.acknowledge(
      group,
      memberId,
      records.map((r) => ({ topic, partition: r.partition, offset: r.offset, type: 'reject', reason: 'bad' })),
    );
    await client.leaveShareGroup(group, memberId);
  }

  it('copies dead-lettered records back once, with key, value and headers minus shoal.dlq.*', async () => {
    const { client } = broker;
    await deadLetter('redrive-src', 'redrive-dlq', 'redrive-workers', [{ n: 0 }, { n: 1 }, { n: 2 }]);
    await client.produce('redrive-dlq', [{ key: 'stray', value: 'no headers' }]);

    expect(await client.redrive('redrive-dlq')).toEqual({ redriven: 3, alreadyRedriven: 0, skipped: 1 });
    expect(await client.redrive('redrive-dlq')).toEqual({ redriven: 0, alreadyRedriven: 3, skipped: 1 });
    expect(await client.redrive('redrive-dlq', { partition: 0, offset: 1, lastOffset: 1 })).toEqual({
      redriven: 0,
      alreadyRedriven: 1,
      skipped: 0,
    });

    const copies = [
      ...(await client.read('redrive-src', 0, { offset: 0 })).records,
      ...(await client.read('redrive-src', 1, { offset: 0 })).records,
    ].filter((r) => r.offset >= (r.partition === 0 ? 2 : 1));
    expect(copies.map((r) => [r.partition, r.key, r.value, r.headers]).sort()).toEqual([
      [0, 'k0', { n: 0 }, { trace: 't0' }],
      [0, 'k2', { n: 2 }, { trace: 't2' }],
      [1, 'k1', { n: 1 }, { trace: 't1' }],
    ]);
  });

  it('dead-letters and redrives a record byte for byte: binary key, tombstone, repeated, null and binary headers', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'bytes-src', partitions: 1 });
    await client.createTopic({ name: 'bytes-dlq', partitions: 1 });
    await client.updateShareGroupConfig('bytes-workers', { autoOffsetReset: 'earliest', deadLetterTopic: 'bytes-dlq' });
    const headerList = [
      { name: 'trace', value: 'a' },
      { name: 'trace', value: 'b' },
      { name: 'none', value: null },
      { name: 'bin', valueBase64: Buffer.from([0xc3, 0x28]).toString('base64') },
    ];
    const keyBase64 = Buffer.from([0x00, 0xff, 0xfe]).toString('base64');
    await client.produce('bytes-src', [{ keyBase64, tombstone: true, headerList }]);
    const { memberId } = await client.joinShareGroup('bytes-workers', { topics: ['bytes-src'] });
    const { records } = await client.shareFetch('bytes-workers', memberId, { maxRecords: 10 });
    expect(records).toHaveLength(1);
    await client.acknowledge('bytes-workers', memberId, [
      { topic: 'bytes-src', partition: 0, offset: 0, type: 'reject' },
    ]);
    await client.leaveShareGroup('bytes-workers', memberId);

    const [dead] = (await client.read('bytes-dlq', 0, { offset: 0 })).records;
    expect(dead).toMatchObject({ keyBase64, tombstone: true });
    expect(dead!.headerList!.slice(0, 4)).toEqual(headerList);
    expect(dead!.headerList!.slice(4).map((h) => h.name)).toEqual([
      'shoal.dlq.topic',
      'shoal.dlq.partition',
      'shoal.dlq.offset',
      'shoal.dlq.group',
      'shoal.dlq.delivery-count',
      'shoal.dlq.reason',
    ]);

    expect(await client.redrive('bytes-dlq')).toEqual({ redriven: 1, alreadyRedriven: 0, skipped: 0 });
    const [, copy] = (await client.read('bytes-src', 0, { offset: 0 })).records;
    expect(copy).toEqual({
      topic: 'bytes-src',
      partition: 0,
      offset: 1,
      timestamp: expect.any(Number),
      keyBase64,
      tombstone: true,
      headers: { trace: 'b' },
      headerList,
    });
  });

  it('redrives an offset range only, and says which records were not copied', async () => {
    const { client } = broker;
    await deadLetter('range-src', 'range-dlq', 'range-workers', ['a', 'b', 'c', 'd']);
    expect(await client.redrive('range-dlq', { offset: 1, lastOffset: 2 })).toEqual({
      redriven: 2,
      alreadyRedriven: 0,
      skipped: 0,
    });
    expect(await client.redrive('range-dlq')).toEqual({ redriven: 2, alreadyRedriven: 2, skipped: 0 });
    // A source topic that no longer exists: nothing is copied, whether redriven before or not.
    await client.deleteTopic('range-src');
    await client.produce('range-dlq', [{ value: 'x', headers: { 'shoal.dlq.topic': 'range-src' } }]);
    expect(await client.redrive('range-dlq')).toEqual({ redriven: 0, alreadyRedriven: 0, skipped: 5 });
    expect(await failure(client.redrive('no-such-dlq'))).toEqual({ status: 404, code: 'UNKNOWN_TOPIC' });
    expect(await failure(client.redrive('range-dlq', { partition: 3 }))).toEqual({
      status: 400,
      code: 'UNKNOWN_PARTITION',
    });
  });

  it('lists consumer and share groups by page with state, members and lag', async () => {
    const { client } = broker;
    await client.createTopic({ name: 'list-topic', partitions: 2 });
    await client.produce('list-topic', [{ value: 1 }, { value: 2 }, { value: 3 }]);
    for (const group of ['list-c-a', 'list-c-b', 'list-c-c'])
      await client.joinConsumerGroup(group, { topics: ['list-topic'], autoOffsetReset: 'earliest' });
    await client.updateShareGroupConfig('list-s-a', { autoOffsetReset: 'earliest' });
    const share = await client.joinShareGroup('list-s-a', { topics: ['list-topic'] });
    await client.shareFetch('list-s-a', share.memberId, { maxRecords: 1 });

    const first = await client.listGroups('consumer', { after: 'list-c', limit: 2 });
    expect(first.groups.map((g) => g.name)).toEqual(['list-c-a', 'list-c-b']);
    expect(first.groups[0]).toEqual({ name: 'list-c-a', state: 'stable', members: 1, lag: 3, protocol: 'http' });
    expect(first.next).toBe('list-c-b');
    const second = await client.listGroups('consumer', { after: first.next!, limit: 2 });
    expect(second.groups.map((g) => g.name)).toEqual(['list-c-c']);
    expect(second.next).toBeNull();
    expect((await client.listGroups('consumer')).groups.map((g) => g.name)).toContain('list-c-a');

    const shares = await client.listGroups('share', { after: 'list-s' });
    const described = await client.describeShareGroup('list-s-a');
    expect(shares.groups.find((g) => g.name === 'list-s-a')).toEqual({
      name: 'list-s-a',
      state: 'stable',
      members: 1,
      lag: described.partitions.reduce((n, p) => n + p.lag, 0),
    });
    const assigned = share.assignment.map((a) => a.partition);
    const inFlight = await client.shareInFlight('list-s-a', 'list-topic', assigned[0]);
    expect(inFlight.records).toEqual([
      expect.objectContaining({
        offset: 0,
        state: 'acquired',
        memberId: share.memberId.split('.')[0],
        deliveryCount: 1,
      }),
    ]);
    expect(await failure(client.shareInFlight('list-none', 'list-topic', 0))).toEqual({
      status: 404,
      code: 'UNKNOWN_GROUP',
    });
  });
});
