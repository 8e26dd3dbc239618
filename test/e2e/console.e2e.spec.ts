import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalHttpClient } from '@shoal/client';
import type { Browser, Page } from 'playwright-core';
import { serveConsole } from '../../src/http/console/console.setup.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { spawnBroker } from '../support/broker-process.js';
import { launchConsoleBrowser, SCREENSHOTS } from '../support/console-browser.js';
import { until } from '../support/until.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

describe(serveConsole.name, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage));
    ({ browser, page } = await launchConsoleBrowser());
    await traffic();
  });
  afterAll(async () => {
    await browser?.close();
    await broker.client.close();
    await broker.close();
    await storage.dispose();
  });

  /** Orders on 3 partitions, a consumer group that read some, a share group with in-flight and dead-lettered jobs. */
  async function traffic(): Promise<void> {
    const { client } = broker;
    await client.createTopic({ name: 'ui-orders', partitions: 3, config: { retentionMs: 86_400_000 } });
    await client.createTopic({ name: 'ui-jobs', partitions: 1 });
    await client.createTopic({ name: 'ui-jobs-dlq', partitions: 1 });
    await client.produce(
      'ui-orders',
      Array.from({ length: 30 }, (_, i) => ({
        key: `customer-${i}`,
        value: { order: i, total: i * 10 },
        partition: i % 3,
      })),
    );
    await client.produce('ui-orders', [
      { key: 'raw', valueBase64: Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64'), partition: 0 },
    ]);
    const audit = await client.joinConsumerGroup('ui-audit', { topics: ['ui-orders'], autoOffsetReset: 'earliest' });
    await client.commitOffsets('ui-audit', audit.memberId, audit.generation, [
      { topic: 'ui-orders', partition: 0, offset: 4 },
      { topic: 'ui-orders', partition: 1, offset: 10 },
    ]);
    await client.leaveConsumerGroup('ui-audit', audit.memberId);
    await client.updateShareGroupConfig('ui-workers', { autoOffsetReset: 'earliest', deadLetterTopic: 'ui-jobs-dlq' });
    await client.produce(
      'ui-jobs',
      Array.from({ length: 6 }, (_, i) => ({ key: `job-${i}`, value: { job: i } })),
    );
    const worker = await client.joinShareGroup('ui-workers', { topics: ['ui-jobs'] });
    await client.shareFetch('ui-workers', worker.memberId, { maxRecords: 4 });
    await client.acknowledge('ui-workers', worker.memberId, [
      { topic: 'ui-jobs', partition: 0, offset: 0, type: 'accept' },
      { topic: 'ui-jobs', partition: 0, offset: 1, lastOffset: 2, type: 'reject', reason: 'card declined' },
    ]);
    // A share group whose member has fetched nothing yet: partition 0 started by a reset, 1 and 2 not.
    await client.updateShareGroupConfig('ui-pickers', { autoOffsetReset: 'earliest' });
    await client.resetShareGroupOffsets('ui-pickers', { topic: 'ui-orders', partition: 0, to: { offset: 5 } });
    await client.joinShareGroup('ui-pickers', { topics: ['ui-orders'] });
  }

  /** Loads the console afresh at `hash` (a hash change alone would leave the last page's table in view). */
  async function open(hash: string, testid: string): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${broker.url}/console/${hash}`);
    await page.waitForSelector(`[data-testid="${testid}"]`);
  }

  async function rows(testid: string, on: Page = page): Promise<string[][]> {
    return on.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
    );
  }

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('shows topics with their partitions, offsets and retention, and creates, grows and deletes one', async () => {
    await open('#/topics', 'topics');
    expect(await rows('topics')).toContainEqual(['ui-orders', '3', '31', '86400000', expect.any(String)]);
    await shot('topics');
    await open('#/topics/ui-orders', 'partitions');
    expect((await rows('partitions')).map((r) => r.slice(0, 4))).toEqual([
      ['0', '0', '11', '11'],
      ['1', '0', '10', '10'],
      ['2', '0', '10', '10'],
    ]);
    await shot('topic');

    await open('#/topics', 'create-topic');
    await page.fill('[data-testid="create-topic"] input[name="name"]', 'ui-made');
    await page.fill('[data-testid="create-topic"] input[name="partitions"]', '2');
    await page.click('[data-testid="create-topic"] button');
    await page.waitForSelector('[data-testid="alter-topic"]');
    await page.fill('[data-testid="alter-topic"] input[name="partitions"]', '4');
    await page.click('[data-testid="alter-topic"] button');
    await until(async () => (await broker.client.describeTopic('ui-made')).partitions.length === 4);
    await page.waitForFunction(`document.querySelectorAll('[data-testid="partitions"] tbody tr').length === 4`);
    await page.click('[data-testid="delete-topic"]');
    await page.waitForSelector('[data-testid="topics"]');
    expect((await broker.client.listTopics()).topics.map((t) => t.name)).not.toContain('ui-made');
  });

  it('browses records by offset and by time: JSON pretty-printed, bytes as hex and base64', async () => {
    await open('#/records/ui-orders/0/0', 'records');
    const shown = await rows('records');
    expect(shown).toHaveLength(11);
    expect(shown[0][2]).toBe('customer-0');
    expect(await page.textContent('[data-testid="records"] tbody tr:first-child pre')).toBe(
      '{\n  "order": 0,\n  "total": 0\n}',
    );
    expect(shown[10][3]).toBe('hex: de ad be ef\nbase64: 3q2+7w==');
    await shot('records');
    await open(`#/records/ui-orders/1/t${Date.now() + 60_000}`, 'records');
    expect(await rows('records')).toEqual([]);
    await open('#/records/ui-orders/1/7', 'records');
    expect((await rows('records')).map((r) => r[0])).toEqual(['7', '8', '9']);
  });

  it('shows a consumer group with committed offsets and lag, and resets its offsets from the page', async () => {
    await open('#/groups', 'consumer-groups');
    // Without members, a group's lag counts the partitions it has committed: (11 − 4) + (10 − 10).
    expect(await rows('consumer-groups')).toContainEqual(['ui-audit', 'empty', '0', '7', 'http']);
    await open('#/groups/ui-audit', 'offsets');
    expect(await rows('offsets')).toEqual([
      ['ui-orders', '0', '4', '11', '7'],
      ['ui-orders', '1', '10', '10', '0'],
    ]);
    await shot('consumer-group');
    await page.selectOption('[data-testid="reset-offsets"] select[name="to"]', 'offset');
    await page.fill('[data-testid="reset-offsets"] input[name="partition"]', '1');
    await page.fill('[data-testid="reset-offsets"] input[name="value"]', '2');
    await page.click('[data-testid="reset-offsets"] button');
    await page.waitForFunction(
      `[...document.querySelectorAll('[data-testid="offsets"] tbody tr')].some((tr) => tr.textContent === 'ui-orders12108')`,
    );
    const described = await broker.client.describeConsumerGroup('ui-audit');
    expect(described.offsets.find((o) => o.partition === 1)).toMatchObject({ committedOffset: 2, lag: 8 });
  });

  it('shows a share group: members, window counts, in-flight records with holder and lock expiry, config edit', async () => {
    await open('#/share-groups', 'share-groups');
    expect(await rows('share-groups')).toContainEqual(['ui-workers', 'stable', '1', expect.any(String)]);
    await open('#/share-groups/ui-workers', 'in-flight-ui-jobs-0');
    const { members, partitions } = await broker.client.describeShareGroup('ui-workers');
    expect(await rows('share-partitions')).toEqual([
      [
        'ui-jobs',
        '0',
        '3',
        String(partitions[0].endOffset),
        String(partitions[0].available),
        '1',
        '0',
        '0',
        String(partitions[0].lag),
        'yes',
      ],
    ]);
    const inFlight = await rows('in-flight-ui-jobs-0');
    expect(inFlight[0].slice(0, 4)).toEqual(['3', 'acquired', members[0].memberId, '1']);
    expect(inFlight[0][4]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d/);
    await shot('share-group');
    await page.fill('[data-testid="share-config"] input[name="deliveryCountLimit"]', '7');
    await page.click('[data-testid="share-config"] button');
    await until(async () => (await broker.client.describeShareGroup('ui-workers')).config.deliveryCountLimit === 7);
  });

  it('counts every partition of the topics a share group covers in its lag, those not fetched yet too', async () => {
    // ui-orders holds 11 + 10 + 10 records; the group started partition 0 at 5 and no other.
    await open('#/share-groups', 'share-groups');
    expect(await rows('share-groups')).toContainEqual(['ui-pickers', 'stable', '1', '26']);
    await open('#/share-groups/ui-pickers', 'share-partitions');
    expect(await rows('share-partitions')).toEqual([
      ['ui-orders', '0', '5', '5', '0', '0', '0', '0', '6', 'yes'],
      ['ui-orders', '1', '0', '0', '0', '0', '0', '0', '10', 'not yet'],
      ['ui-orders', '2', '0', '0', '0', '0', '0', '0', '10', 'not yet'],
    ]);
    expect(await page.textContent('[data-testid="share-total-lag"]')).toMatch(/^Total lag: 26 records/);
    await shot('share-group-not-started');
  });

  it('shows dead letters with their shoal.dlq.* headers and redrives them from the page, once', async () => {
    await open('#/dlq', 'dlq-topics');
    expect(await rows('dlq-topics')).toEqual([['ui-jobs-dlq']]);
    await open('#/dlq/ui-jobs-dlq', 'dlq-records');
    const shown = await rows('dlq-records');
    expect(shown.map((r) => r.slice(5))).toEqual([
      ['ui-jobs', '0', '1', 'ui-workers', 'rejected', '1', 'card declined'],
      ['ui-jobs', '0', '2', 'ui-workers', 'rejected', '1', 'card declined'],
    ]);
    await shot('dead-letters');
    await page.check('[data-testid="dlq-records"] tbody tr:first-child input[type="checkbox"]');
    await page.click('[data-testid="redrive-selected"]');
    await page.waitForFunction(`document.querySelector('[data-testid="redrive-result"]')?.textContent !== ''`);
    expect(await page.textContent('[data-testid="redrive-result"]')).toContain('redriven 1,');
    await page.click('[data-testid="redrive-all"]');
    await page.waitForFunction(
      `/redriven before 1/.test(document.querySelector('[data-testid="redrive-result"]')?.textContent ?? '')`,
    );
    expect(await page.textContent('[data-testid="redrive-result"]')).toBe(
      'redriven 1, redriven before 1, without a source topic 0',
    );
    expect((await broker.client.describeTopic('ui-jobs')).partitions[0].endOffset).toBe(8);
  });

  it('asks a broker with API keys for a key: asks again after a wrong one, then sends the real one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-console-keys-'));
    const ADMIN = 'admin-key-for-the-console-test';
    const keyed = await spawnBroker(`sqlite:${join(dir, 'keyed.db')}`, undefined, { SHOAL_ADMIN_API_KEY: ADMIN });
    const admin = new ShoalHttpClient({ url: keyed.url, apiKey: ADMIN });
    const context = await browser.newContext();
    try {
      await admin.createTopic({ name: 'keyed-orders', partitions: 2 });
      await admin.produce('keyed-orders', [{ value: 'a', partition: 1 }]);
      const { key } = await admin.createApiKey({ principal: 'ui-operator' });
      await admin.createAcl({ principal: 'ui-operator', resourceType: 'topic', resourceName: '*', operation: 'read' });
      const keyed401 = await fetch(`${keyed.url}/v1/topics`);
      expect(keyed401.status).toBe(401);

      const tab = await context.newPage();
      const sent: (string | undefined)[] = [];
      tab.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/v1/')) sent.push(request.headers().authorization);
      });
      const answers: number[] = [];
      tab.on('response', (response) => {
        if (new URL(response.url()).pathname.startsWith('/v1/')) answers.push(response.status());
      });
      await tab.goto(`${keyed.url}/console/#/topics`);
      await tab.waitForSelector('dialog#auth[open]');
      await tab.screenshot({ path: join(SCREENSHOTS, 'api-key.png') });
      // A wrong key: the broker answers 401 again and the console asks again.
      await tab.fill('dialog#auth input', 'shoal_0123456789abcdef_not-a-real-secret');
      await tab.click('dialog#auth button');
      await until(() => answers.filter((status) => status === 401).length >= 2);
      await tab.waitForSelector('dialog#auth[open]');
      await tab.fill('dialog#auth input', key);
      await tab.click('dialog#auth button');
      await tab.waitForSelector('[data-testid="topics"]');
      expect(await rows('topics', tab)).toContainEqual([
        'keyed-orders',
        '2',
        '1',
        expect.any(String),
        expect.any(String),
      ]);
      expect(sent.slice(0, 2)).toEqual([undefined, 'Bearer shoal_0123456789abcdef_not-a-real-secret']);
      expect(sent).toContain(`Bearer ${key}`);

      // The key is kept: the topic's page loads without asking; what its ACLs do not allow is refused by the broker.
      await tab.goto(`${keyed.url}/console/#/topics/keyed-orders`);
      await tab.waitForSelector('[data-testid="partitions"]');
      await tab.goto(`${keyed.url}/console/#/groups/someone-elses`);
      await tab.waitForSelector('#page p.error');
      expect(await tab.textContent('#page p.error')).toMatch(/^FORBIDDEN: /);
      expect(await tab.isVisible('dialog#auth[open]')).toBe(false);
    } finally {
      await context.close();
      await admin.close();
      await keyed.client.close();
      keyed.child.kill('SIGTERM');
      await new Promise((resolve) => keyed.child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
