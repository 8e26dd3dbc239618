import { Database } from '../../src/storage/database.js';
import { call } from '../support/auth-http.js';
import { brokersPerSuite, startBroker } from '../support/broker.js';
import { testConfig } from '../support/storage.js';

/**
 * On PostgreSQL a produce's check that no API key exists rides on its own statement while the
 * broker knows of none (security/deferred-auth.ts). A key created on another broker must still
 * turn auth on at once: the next produce without a key gets 401 — also one whose body is
 * refused, or whose topic the broker has not read — and with a key, 403 or 200 by its ACLs.
 */
describe('produce with its auth check in its statement, two brokers on PostgreSQL', () => {
  const suite = brokersPerSuite('postgres', 2);

  it('answers 401 on the broker that had seen no key, at once, and writes nothing for the refused requests', async () => {
    const [a, b] = suite.brokers;
    expect((await call(a.url, 'POST', '/v1/topics', undefined, { name: 'guarded', partitions: 2 })).status).toBe(201);
    expect((await call(a.url, 'POST', '/v1/topics', undefined, { name: 'unread', partitions: 1 })).status).toBe(201);
    // Broker b produces without a key (and reads the topic, so its next produce is one statement).
    for (let i = 0; i < 2; i++)
      expect(
        (await call(b.url, 'POST', '/v1/topics/guarded/records', undefined, { records: [{ value: i }] })).status,
      ).toBe(200);
    const created = await call(a.url, 'POST', '/v1/api-keys', undefined, { principal: 'writer' });
    expect(created.status).toBe(201);
    // Broker b read the topic (its produce is one statement); a fresh broker has seen neither
    // topic nor key (its produce takes the transaction, or fails on its body first).
    const refused = [
      ['b', 'guarded', { records: [{ value: 'x' }] }],
      ['fresh', 'guarded', { records: [{ value: 'x' }] }],
      ['fresh', 'unread', { records: [{ value: 'x' }] }],
      ['fresh', 'guarded', { records: [] }],
      ['fresh', 'guarded', { nope: 1 }],
    ] as const;
    for (const [which, topic, body] of refused) {
      const broker = which === 'b' ? b : await startBroker(testConfig(suite.storage.storage));
      try {
        const answer = await call(broker.url, 'POST', `/v1/topics/${topic}/records`, undefined, body);
        expect({ which, topic, body, status: answer.status, code: answer.body.error?.code }).toEqual({
          which,
          topic,
          body,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      } finally {
        if (broker !== b) await broker.close();
      }
    }
    // A key whose principal has no ACL: 403.
    const forbidden = await call(b.url, 'POST', '/v1/topics/guarded/records', created.body.key, {
      records: [{ value: 'y' }],
    });
    expect(forbidden.status).toBe(403);
    // Only the two records produced before the key exist.
    const [{ n }] = await b.app
      .get(Database)
      .run((sql) =>
        sql.rows<{ n: number }>(
          'SELECT count(*)::integer AS n FROM shoal_record r JOIN shoal_topic t ON t.id = r.topic_id WHERE t.name IN ($1, $2)',
          ['guarded', 'unread'],
        ),
      );
    expect(n).toBe(2);
  });
});
