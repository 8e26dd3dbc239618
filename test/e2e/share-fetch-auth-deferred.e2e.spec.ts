import { Database } from '../../src/storage/database.js';
import { call } from '../support/auth-http.js';
import { brokersPerSuite, startBroker } from '../support/broker.js';
import { testConfig } from '../support/storage.js';

/**
 * On PostgreSQL a share fetch's check that no API key exists rides on the statement that opens
 * its group while the broker knows of none (security/deferred-auth.ts). A key created on another
 * broker must still turn auth on at once: the next fetch without a key gets 401 — also one whose
 * body is refused, or whose group does not exist — acquires nothing, and with a key gets 403 by
 * its ACLs; the record stays available.
 */
describe('share fetch with its auth check in its first statement, two brokers on PostgreSQL', () => {
  const suite = brokersPerSuite('postgres', 2);

  it('answers 401 on the broker that had seen no key, at once, and acquires nothing for the refused fetches', async () => {
    const [a, b] = suite.brokers;
    expect((await call(a.url, 'POST', '/v1/topics', undefined, { name: 'guarded', partitions: 1 })).status).toBe(201);
    const joined = await call(b.url, 'POST', '/v1/share-groups/workers/members', undefined, { topics: ['guarded'] });
    expect(joined.status).toBe(201);
    const fetchPath = `/v1/share-groups/workers/members/${encodeURIComponent(joined.body.memberId)}/fetch`;
    // Broker b fetches without a key: nothing yet, then the first record.
    expect((await call(b.url, 'POST', fetchPath, undefined, { maxRecords: 1, maxWaitMs: 0 })).body.records).toEqual([]);
    await call(b.url, 'POST', '/v1/topics/guarded/records', undefined, { records: [{ value: 1 }] });
    const first = await call(b.url, 'POST', fetchPath, undefined, { maxRecords: 1, maxWaitMs: 0 });
    expect(first.body.records.map((r: { offset: number }) => r.offset)).toEqual([0]);
    await call(b.url, 'POST', '/v1/topics/guarded/records', undefined, { records: [{ value: 2 }] });

    const created = await call(a.url, 'POST', '/v1/api-keys', undefined, { principal: 'reader' });
    expect(created.status).toBe(201);
    const refused = [
      ['b', fetchPath, { maxRecords: 1, maxWaitMs: 0 }],
      ['b', fetchPath, { maxRecords: 'many' }],
      ['b', '/v1/share-groups/nobody/members/m/fetch', { maxRecords: 1, maxWaitMs: 0 }],
      ['fresh', fetchPath, { maxRecords: 1, maxWaitMs: 0 }],
    ] as const;
    for (const [which, path, body] of refused) {
      const broker = which === 'b' ? b : await startBroker(testConfig(suite.storage.storage));
      try {
        const answer = await call(broker.url, 'POST', path, undefined, body);
        expect({ which, path, body, status: answer.status, code: answer.body.error?.code }).toEqual({
          which,
          path,
          body,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      } finally {
        if (broker !== b) await broker.close();
      }
    }
    // A key whose principal has no ACL: 403.
    expect((await call(b.url, 'POST', fetchPath, created.body.key, { maxRecords: 1, maxWaitMs: 0 })).status).toBe(403);
    // The second record was acquired by none of them: no range holds its offset.
    const [{ n }] = await b.app
      .get(Database)
      .run((sql) =>
        sql.rows<{ n: number }>(
          'SELECT count(*)::integer AS n FROM shoal_share_range WHERE first_offset <= 1 AND last_offset >= 1',
        ),
      );
    expect(n).toBe(0);
  });
});
