import { ErrorCode } from '@shoal/protocol';
import { TopicService } from '../../src/log/topic.service.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { STORAGE_KINDS } from '../support/storage.js';

describe.each(STORAGE_KINDS)(`${TopicService.name} on %s`, (kind) => {
  let log: LogContext;
  beforeAll(async () => {
    log = await openLogContext(kind);
  });
  afterAll(() => log.close());

  it('grows partitions, and new partitions take records from offset 0', async () => {
    await log.topics.create('growing', 2, undefined);
    await log.produce('growing', [{ value: 1, partition: 1 }]);
    const grown = await log.topics.update('growing', { partitions: 5 });
    expect(grown.partitions.map((p) => [p.partition, p.endOffset])).toEqual([
      [0, 0],
      [1, 1],
      [2, 0],
      [3, 0],
      [4, 0],
    ]);
    expect(await log.produce('growing', [{ value: 2, partition: 4 }])).toEqual([{ partition: 4, offset: 0 }]);
    await expect(log.topics.update('growing', { partitions: 4 })).rejects.toMatchObject({
      code: ErrorCode.InvalidPartitions,
    });
  });

  it('refuses a second topic of the same name', async () => {
    await log.topics.create('twice', 1, undefined);
    await expect(log.topics.create('twice', 1, undefined)).rejects.toMatchObject({
      code: ErrorCode.TopicAlreadyExists,
    });
  });

  it('forgets a deleted topic, and a re-created one starts empty', async () => {
    await log.topics.create('phoenix', 1, undefined);
    await log.produce('phoenix', [{ value: 'old' }, { value: 'older' }]);
    await log.topics.delete('phoenix');
    await expect(log.topics.describe('phoenix')).rejects.toMatchObject({ code: ErrorCode.UnknownTopic });
    await log.topics.create('phoenix', 1, undefined);
    const read = await log.reader.read('phoenix', 0, { offset: 0, maxRecords: 10, maxWaitMs: 0 });
    expect(read).toEqual({ records: [], nextOffset: 0, startOffset: 0, endOffset: 0 });
  });

  it('lists topics with their partition counts', async () => {
    await log.topics.create('listed-a', 3, undefined);
    const list = await log.topics.list();
    expect(list.topics).toContainEqual({ name: 'listed-a', partitions: 3 });
  });
});
