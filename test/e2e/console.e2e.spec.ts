import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { serveConsole } from '../../src/http/console/console.setup.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { toolPath } from '../support/required-tools.js';
import { until } from '../support/until.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

/** Debian's chromium (.ci/run installs it), headless. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join('test-output', 'console');

describe(serveConsole.name, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage));
    browser = await chromium.launch({ executablePath: toolPath('chromium'), headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (dialog) => void dialog.accept());
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
  }

  /** Loads the console afresh at `hash` (a hash change alone would leave the last page's table in view). */
  async function open(hash: string, testid: string): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${broker.url}/console/${hash}`);
    await page.waitForSelector(`[data-testid="${testid}"]`);
  }

  async function rows(testid: string): Promise<string[][]> {
    return page.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) =>
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

  it('asks for an API key when the broker answers 401, then sends it as a bearer token', async () => {
    const context = await browser.newContext();
    const keyed = await context.newPage();
    const seen: (string | undefined)[] = [];
    // Stands in for a broker that requires a key (the broker's API keys are issue 12's).
    await keyed.route('**/v1/**', async (route) => {
      const authorization = route.request().headers().authorization;
      seen.push(authorization);
      if (authorization !== 'Bearer ui-secret')
        await route.fulfill({
          status: 401,
          contentType: 'application/json',
          body: '{"error":{"code":"UNAUTHENTICATED","message":"an API key is needed"}}',
        });
      else await route.continue();
    });
    await keyed.goto(`${broker.url}/console/#/topics`);
    await keyed.waitForSelector('dialog#auth[open]');
    await keyed.screenshot({ path: join(SCREENSHOTS, 'api-key.png') });
    await keyed.fill('dialog#auth input', 'ui-secret');
    await keyed.click('dialog#auth button');
    await keyed.waitForSelector('[data-testid="topics"]');
    expect(seen).toContain('Bearer ui-secret');
    await context.close();
  });
});
