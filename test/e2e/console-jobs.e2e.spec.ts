import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startBroker, type TestBroker } from '../support/broker.js';
import { launchConsoleBrowser, SCREENSHOTS } from '../support/console-browser.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

/** The console's job page (issue 28): reached from a share group's in-flight table and from its search box. */
describe('the console job page', () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage));
    ({ browser, page } = await launchConsoleBrowser());
    const { client } = broker;
    await client.createTopic({ name: 'ui-life', partitions: 1 });
    await client.produce('ui-life', [
      { value: { image: 1 }, idempotencyKey: 'resize-1' },
      { value: { image: 2 }, idempotencyKey: 'resize-2' },
      { value: { image: 3 }, idempotencyKey: 'resize-3' },
    ]);
    await client.updateShareGroupConfig('ui-lifers', { autoOffsetReset: 'earliest', resultRetentionMs: 3_600_000 });
    const { memberId } = await client.joinShareGroup('ui-lifers', { topics: ['ui-life'] });
    await client.shareFetch('ui-lifers', memberId, { maxRecords: 3, maxWaitMs: 0 });
    const at = (offset: number) => ({ topic: 'ui-life', partition: 0, offset });
    await client.reportProgress('ui-lifers', memberId, { ...at(1), value: { pct: 40 } });
    await client.acknowledge('ui-lifers', memberId, [
      { ...at(0), type: 'accept', result: { width: 640 } },
      { ...at(2), type: 'release', reason: 'disk full', delayMs: 60_000 },
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await broker.close();
    await storage.dispose();
  });

  const fields = async () =>
    Object.fromEntries(
      await page.$$eval('[data-testid="job"] tbody tr', (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
      ),
    ) as Record<string, string>;

  it('opens a job from the in-flight table: progress while it runs', async () => {
    await page.goto(`${broker.url}/console/#/share-groups/ui-lifers`);
    await page.waitForSelector('[data-testid="in-flight-ui-life-0"]');
    await page.click('[data-testid="in-flight-ui-life-0"] tbody tr:has(span.state-acquired) a');
    await page.waitForSelector('[data-testid="job"]');
    expect(page.url()).toContain('#/jobs/ui-lifers/ui-life/0/1');
    expect(await fields()).toMatchObject({ state: 'acquired', progress: '{"pct":40}', result: '-', deliveries: '1' });
    await page.screenshot({ path: join(SCREENSHOTS, 'job.png'), fullPage: true });
  });

  it('finds a job by idempotency key or by offset: result after the accept, the reason of a release', async () => {
    await page.goto('about:blank');
    await page.goto(`${broker.url}/console/#/share-groups/ui-lifers`);
    await page.waitForSelector('[data-testid="job-search"]');
    await page.fill('[data-testid="job-search"] input[name="job"]', 'resize-1');
    await page.click('[data-testid="job-search"] button');
    await page.waitForURL(/#\/jobs\/ui-lifers\/ui-life\/key\/resize-1$/);
    await page.waitForSelector('[data-testid="job-result"]');
    expect(await fields()).toMatchObject({ state: 'finished', outcome: 'accepted', result: '{"width":640}' });
    // The search box on the job page, by offset.
    await page.fill('[data-testid="job-search"] input[name="job"]', '2');
    await page.click('[data-testid="job-search"] button');
    await page.waitForURL(/#\/jobs\/ui-lifers\/ui-life\/0\/2$/);
    await page.waitForFunction(`document.querySelector('[data-testid="job-reason"]')?.textContent === 'disk full'`);
    expect(await fields()).toMatchObject({ state: 'available', reason: 'disk full', outcome: '-' });
  });
});
