import { PgChangeRelay } from '../../src/common/pg-change-relay.js';
import { BrokerCluster } from '../support/broker-cluster.js';
import { createTestStorage, type TestStorage } from '../support/storage.js';
import { sleep } from '../support/until.js';

// Waits far longer than any wake-up: an answer well before it can only come from a notification.
const MAX_WAIT_MS = 30_000;
const WOKEN_WITHIN_MS = 10_000;

describe(PgChangeRelay.name, () => {
  let storage: TestStorage;
  let cluster: BrokerCluster;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    cluster = await BrokerCluster.start(storage.storage.url, 2);
  });
  afterAll(async () => {
    await cluster.close();
    await storage.dispose();
  });

  it('wakes a read, a consumer fetch and a share fetch waiting on one broker when another commits', async () => {
    const [a, b] = [cluster.client(0), cluster.client(1)];
    await a.createTopic({ name: 'wake', partitions: 1 });
    await a.updateShareGroupConfig('wake-share', { autoOffsetReset: 'earliest' });
    const share = await b.joinShareGroup('wake-share', { topics: ['wake'] });
    const consumer = await b.joinConsumerGroup('wake-consumers', { topics: ['wake'], autoOffsetReset: 'earliest' });
    const started = Date.now();
    const waits = [
      b.read('wake', 0, { offset: 0, maxWaitMs: MAX_WAIT_MS }).then((r) => r.records.length),
      b.consumerFetch('wake-consumers', consumer.memberId, { maxWaitMs: MAX_WAIT_MS }).then((r) => r.records.length),
      b.shareFetch('wake-share', share.memberId, { maxWaitMs: MAX_WAIT_MS }).then((r) => r.records.length),
    ].map((p) => p.then((records) => ({ records, afterMs: Date.now() - started })));
    await sleep(500); // all three are waiting on broker B
    await a.produce('wake', [{ value: 'hello' }]);
    const answers = await Promise.all(waits);
    expect(answers.map((x) => x.records)).toEqual([1, 1, 1]);
    for (const answer of answers) expect(answer.afterMs).toBeLessThan(WOKEN_WITHIN_MS);
  });
});
