import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalHttpClient } from '@shoal/client';
import type { ConsumerGroupDescription, GroupList, ShareGroupConfigView, TopicDescription } from '@shoal/protocol';
import { type BrokerProcess, spawnBroker } from '../support/broker-process.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('shoal CLI', () => {
  let dir: string;
  let broker: BrokerProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
    broker = await spawnBroker(`sqlite:${join(dir, 'shoal.db')}`);
  });
  afterAll(async () => {
    await broker.client.close();
    broker.child.kill('SIGTERM');
    await new Promise((resolve) => broker.child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the real `shoal` process against the broker (`SHOAL_URL`), with `input` on stdin. */
  function shoal(args: string[], input = '', env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['bin/shoal.js', ...args], {
        env: { ...process.env, NODE_OPTIONS: '', SHOAL_URL: broker.url, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  async function json<T>(args: string[], input = ''): Promise<T> {
    const run = await shoal([...args, '--json'], input);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout) as T;
  }

  it('answers --help', async () => {
    const run = await shoal(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['topics', 'produce', 'consume', 'groups', 'share-groups', 'dlq'])
      expect(run.stdout).toContain(command);
  });

  it('creates, lists, describes, alters and deletes topics', async () => {
    const created = await json<TopicDescription>([
      'topics',
      'create',
      'cli-topic',
      '--partitions',
      '2',
      '--retention-ms',
      '60000',
    ]);
    expect(created).toMatchObject({ name: 'cli-topic', config: { retentionMs: 60000 }, partitions: [{}, {}] });
    expect(await json<{ name: string }[]>(['topics', 'list'])).toContainEqual({ name: 'cli-topic', partitions: 2 });
    const table = await shoal(['topics', 'describe', 'cli-topic']);
    expect(table.stdout).toMatch(/PARTITION\s+START\s+END\s+RECORDS/);
    expect(
      (await json<TopicDescription>(['topics', 'alter', 'cli-topic', '--partitions', '3'])).partitions,
    ).toHaveLength(3);
    expect(await json(['topics', 'delete', 'cli-topic'])).toEqual({ deleted: 'cli-topic' });
    const missing = await shoal(['topics', 'describe', 'cli-topic']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('UNKNOWN_TOPIC');
    const missingJson = await shoal(['topics', 'describe', 'cli-topic', '--json']);
    expect(JSON.parse(missingJson.stderr)).toMatchObject({ error: { code: 'UNKNOWN_TOPIC', status: 404 } });
  });

  it('produces lines from stdin and consumes them by offset and as a group', async () => {
    await json(['topics', 'create', 'cli-records', '--partitions', '1']);
    expect(await json(['produce', 'cli-records', '--key', 'k'], '{"n":1}\nplain text\n42\n')).toEqual({
      topic: 'cli-records',
      produced: 3,
    });
    const lines = (await shoal(['consume', 'cli-records', '--from-beginning', '--json'])).stdout.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as { key: string; value: unknown }).map((r) => [r.key, r.value])).toEqual([
      ['k', { n: 1 }],
      ['k', 'plain text'],
      ['k', 42],
    ]);
    const one = await shoal(['consume', 'cli-records', '--partition', '0', '--offset', '2']);
    expect(one.stdout).toBe('0\t2\tk\t42\n');

    const grouped = await shoal([
      'consume',
      'cli-records',
      '--group',
      'cli-readers',
      '--from-beginning',
      '--wait-ms',
      '200',
    ]);
    expect(grouped.stdout.trim().split('\n')).toHaveLength(3);
    const described = await json<ConsumerGroupDescription>(['groups', 'describe', 'cli-readers']);
    expect(described.offsets).toEqual([expect.objectContaining({ committedOffset: 3, lag: 0 })]);
    const list = await json<GroupList>(['groups', 'list', '--after', 'cli-']);
    expect(list.groups).toContainEqual({ name: 'cli-readers', state: 'empty', members: 0, lag: 0, protocol: 'http' });

    const reset = await json<ConsumerGroupDescription>([
      'groups',
      'reset-offsets',
      'cli-readers',
      '--topic',
      'cli-records',
      '--to-offset',
      '1',
    ]);
    expect(reset.offsets[0]).toMatchObject({ committedOffset: 1, lag: 2 });
    const bad = await shoal(['groups', 'reset-offsets', 'cli-readers', '--topic', 'cli-records']);
    expect(bad.code).toBe(3);
    expect(await json(['groups', 'delete', 'cli-readers'])).toEqual({ deleted: 'cli-readers' });
    expect((await shoal(['groups', 'delete', 'cli-readers'])).stderr).toContain('UNKNOWN_GROUP');
  });

  it('configures, describes, resets and deletes share groups, and redrives a dead-letter topic', async () => {
    await json(['topics', 'create', 'cli-jobs']);
    await json(['topics', 'create', 'cli-jobs-dlq']);
    const config = await json<ShareGroupConfigView>([
      'share-groups',
      'config',
      'cli-workers',
      '--auto-offset-reset',
      'earliest',
      '--dead-letter-topic',
      'cli-jobs-dlq',
    ]);
    expect(config).toMatchObject({ autoOffsetReset: 'earliest', deadLetterTopic: 'cli-jobs-dlq' });
    await json(['produce', 'cli-jobs'], 'a\nb\n');
    const { client } = broker;
    const { memberId } = await client.joinShareGroup('cli-workers', { topics: ['cli-jobs'] });
    const { records } = await client.shareFetch('cli-workers', memberId, { maxRecords: 10 });
    await client.acknowledge('cli-workers', memberId, [
      { topic: 'cli-jobs', partition: 0, offset: records[0].offset, type: 'reject', reason: 'poison' },
    ]);
    const described = await json<{ inFlight: { records: { offset: number; state: string }[] }[] }>([
      'share-groups',
      'describe',
      'cli-workers',
      '--in-flight',
    ]);
    expect(described.inFlight[0].records.map((r) => [r.offset, r.state])).toEqual([[1, 'acquired']]);
    // The table covers every partition of the group's topics: cli-more's, which no one fetched, too.
    await json(['topics', 'create', 'cli-more', '--partitions', '2']);
    await json(['produce', 'cli-more'], 'x\ny\nz\n');
    const { memberId: other } = await client.joinShareGroup('cli-workers', { topics: ['cli-more'] });
    const text = (await shoal(['share-groups', 'describe', 'cli-workers'])).stdout;
    expect(text).toContain('2 members, total lag 4,');
    expect(text).toMatch(/TOPIC\s+PARTITION\s+START\s+END\s+AVAILABLE\s+ACQUIRED\s+ACKED\s+ARCHIVED\s+LAG\s+STARTED/);
    expect(text).toMatch(/cli-jobs\s+0\s+1\s+2\s+0\s+1\s+0\s+0\s+1\s+yes\n/);
    expect(text).toMatch(/cli-more\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+\d\s+no\n/);
    expect(text).toMatch(/cli-more\s+1\s+0\s+0\s+0\s+0\s+0\s+0\s+\d\s+no\n/);
    await client.leaveShareGroup('cli-workers', other);
    expect((await json<GroupList>(['share-groups', 'list', '--after', 'cli-'])).groups[0]).toMatchObject({
      name: 'cli-workers',
      members: 1,
    });
    expect((await shoal(['share-groups', 'delete', 'cli-workers'])).stderr).toContain('GROUP_NOT_EMPTY');
    await client.leaveShareGroup('cli-workers', memberId);
    await json(['share-groups', 'reset', 'cli-workers', '--topic', 'cli-jobs', '--to-latest']);

    expect(await json(['dlq', 'redrive', 'cli-jobs-dlq'])).toEqual({ redriven: 1, alreadyRedriven: 0, skipped: 0 });
    expect(await json(['dlq', 'redrive', 'cli-jobs-dlq'])).toEqual({ redriven: 0, alreadyRedriven: 1, skipped: 0 });
    expect((await client.describeTopic('cli-jobs')).partitions[0].endOffset).toBe(3);
    expect(await json(['share-groups', 'delete', 'cli-workers'])).toEqual({ deleted: 'cli-workers' });
  });

  it('says when no broker answers: a broker that has stopped', async () => {
    const stopping = await spawnBroker(`sqlite:${join(dir, 'stopping.db')}`);
    await stopping.client.close();
    const env = { SHOAL_URL: stopping.url };
    expect((await shoal(['topics', 'list'], '', env)).code).toBe(0);
    stopping.child.kill('SIGTERM');
    await new Promise((resolve) => stopping.child.once('exit', resolve));
    const down = await shoal(['topics', 'list'], '', env);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(new URL(stopping.url).host);
  });

  it('sends the API key it is given, by --api-key or SHOAL_API_KEY, to a broker with keys', async () => {
    const ADMIN = 'admin-key-for-the-cli-key-test';
    const secured = await spawnBroker(`sqlite:${join(dir, 'keys.db')}`, undefined, { SHOAL_ADMIN_API_KEY: ADMIN });
    const admin = new ShoalHttpClient({ url: secured.url, apiKey: ADMIN });
    try {
      // Two principals, each allowed to read one topic: what the broker allows shows which key it got.
      for (const name of ['cli-north', 'cli-south']) await admin.createTopic({ name, partitions: 1 });
      const keyFor = async (principal: string, topic: string) => {
        const { key } = await admin.createApiKey({ principal });
        await admin.createAcl({ principal, resourceType: 'topic', resourceName: topic, operation: 'read' });
        return key;
      };
      const north = await keyFor('north-reader', 'cli-north');
      const south = await keyFor('south-reader', 'cli-south');
      const env = { SHOAL_URL: secured.url };
      const describe = (topic: string, extra: string[], more: Record<string, string> = {}) =>
        shoal(['topics', 'describe', topic, ...extra, '--json'], '', { ...env, ...more });

      expect((await describe('cli-north', ['--api-key', north])).code).toBe(0);
      expect(JSON.parse((await describe('cli-south', ['--api-key', north])).stderr)).toMatchObject({
        error: { code: 'FORBIDDEN', status: 403 },
      });
      expect((await describe('cli-south', [], { SHOAL_API_KEY: south })).code).toBe(0);
      expect(JSON.parse((await describe('cli-north', [], { SHOAL_API_KEY: south })).stderr)).toMatchObject({
        error: { code: 'FORBIDDEN', status: 403 },
      });
      for (const key of [undefined, 'shoal_0123456789abcdef_not-a-real-secret']) {
        const refused = await describe('cli-north', key ? ['--api-key', key] : []);
        expect(refused.code).toBe(1);
        expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'UNAUTHENTICATED', status: 401 } });
      }
    } finally {
      await admin.close();
      await secured.client.close();
      secured.child.kill('SIGTERM');
      await new Promise((resolve) => secured.child.once('exit', resolve));
    }
  });

  it('manages API keys and ACLs with the admin key, and a revoked key stops working at once', async () => {
    const secured = await spawnBroker(`sqlite:${join(dir, 'secured.db')}`, undefined, {
      SHOAL_ADMIN_API_KEY: 'admin-key-for-the-cli-test',
    });
    const as = (key?: string) => ({ SHOAL_URL: secured.url, ...(key ? { SHOAL_API_KEY: key } : {}) });
    const admin = as('admin-key-for-the-cli-test');
    try {
      const run = (args: string[], env: Record<string, string>, input = '') => shoal(args, input, env);
      expect((await run(['topics', 'create', 'audit', '--partitions', '1'], admin)).code).toBe(0);
      const created = JSON.parse((await run(['api-keys', 'create', '--principal', 'alice', '--json'], admin)).stdout);
      expect(created).toMatchObject({ principal: 'alice', revokedAt: null });
      const rule = await run(
        [
          'acls',
          'create',
          '--principal',
          'alice',
          '--resource-type',
          'topic',
          '--name',
          'aud',
          '--prefix',
          '--operation',
          'produce',
          '--json',
        ],
        admin,
      );
      expect(JSON.parse(rule.stdout)).toMatchObject({
        principal: 'alice',
        patternType: 'prefix',
        operation: 'produce',
      });
      const listed = JSON.parse((await run(['api-keys', 'list', '--json'], admin)).stdout) as {
        id: string;
        key?: string;
      }[];
      expect(listed.map((k) => k.id)).toContain(created.id);
      expect(listed.every((k) => k.key === undefined)).toBe(true);

      expect((await run(['produce', 'audit'], as(created.key), 'one\n')).code).toBe(0);
      const refused = await run(['topics', 'create', 'other', '--json'], as(created.key));
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'FORBIDDEN', status: 403 } });
      const anonymous = await run(['topics', 'list', '--json'], as());
      expect(JSON.parse(anonymous.stderr)).toMatchObject({ error: { code: 'UNAUTHENTICATED', status: 401 } });

      expect((await run(['api-keys', 'revoke', created.id], admin)).code).toBe(0);
      const revoked = await run(['produce', 'audit', '--json'], as(created.key), 'two\n');
      expect(revoked.code).toBe(1);
      expect(JSON.parse(revoked.stderr)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      const acls = JSON.parse((await run(['acls', 'list', '--json'], admin)).stdout) as { id: number }[];
      expect((await run(['acls', 'delete', String(acls[0].id)], admin)).code).toBe(0);
      expect(JSON.parse((await run(['acls', 'list', '--json'], admin)).stdout)).toEqual([]);
    } finally {
      await secured.client.close();
      secured.child.kill('SIGKILL');
    }
  });
});
