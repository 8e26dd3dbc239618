import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serveConsole } from '../../src/http/console/console.setup.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { launchConsoleBrowser, SCREENSHOTS } from '../support/console-browser.js';
import { until } from '../support/until.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

/** Issue 27: the console's schedules page (list, create, pause/resume, delete, next runs) in Chromium. */
describe(`${serveConsole.name} schedules page`, () => {
  let storage: TestStorage;
  let broker: TestBroker;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    broker = await startBroker(testConfig(storage.storage));
    ({ browser, page } = await launchConsoleBrowser());
    await broker.client.createTopic({ name: 'ui-reports', partitions: 1 });
    await broker.client.createSchedule({
      name: 'ui-hourly',
      topic: 'ui-reports',
      cron: '0 * * * *',
      record: { value: { report: 'hourly' } },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await broker.client.close();
    await broker.close();
    await storage.dispose();
  });

  async function open(hash: string, testid: string): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${broker.url}/console/${hash}`);
    await page.waitForSelector(`[data-testid="${testid}"]`);
  }
  const rows = (testid: string): Promise<string[][]> =>
    page.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
    );
  const schedules = async () => (await broker.client.listSchedules()).map((s) => [s.name, s.paused]);

  it('lists schedules, creates one from the form, pauses, resumes and deletes it, and shows its next runs', async () => {
    await open('#/schedules', 'schedules');
    expect(await page.textContent('nav a.active')).toBe('Schedules');
    expect((await rows('schedules'))[0].slice(0, 4)).toEqual([
      'ui-hourly',
      'ui-reports',
      'cron 0 * * * * (UTC)',
      'running',
    ]);

    await page.fill('[data-testid="create-schedule"] input[name="name"]', 'ui-every');
    await page.selectOption('[data-testid="create-schedule"] select[name="topic"]', 'ui-reports');
    await page.fill('[data-testid="create-schedule"] input[name="when"]', '60000');
    await page.fill('[data-testid="create-schedule"] input[name="value"]', '{"report":"minutely"}');
    await page.fill('[data-testid="create-schedule"] input[name="attempts"]', '1');
    await page.click('[data-testid="create-schedule"] button');
    await page.waitForSelector('[data-testid="schedule-next-runs"]');
    expect(await page.textContent('[data-testid="schedule-summary"]')).toContain('every 60000 ms to ui-reports');
    expect(JSON.parse((await page.textContent('[data-testid="schedule-record"]')) ?? '')).toEqual({
      value: { report: 'minutely' },
      attempts: 1,
    });
    expect(await rows('schedule-next-runs')).toHaveLength(5);
    await page.screenshot({ path: join(SCREENSHOTS, 'schedule.png'), fullPage: true });
    expect(await broker.client.describeSchedule('ui-every')).toMatchObject({
      everyMs: 60_000,
      record: { value: { report: 'minutely' }, attempts: 1 },
    });

    await open('#/schedules', 'schedules');
    await page.click('[data-testid="toggle-ui-every"]');
    await until(async () => (await schedules()).some(([name, paused]) => name === 'ui-every' && paused));
    await page.waitForSelector('[data-testid="toggle-ui-every"]:text("Resume")');
    expect((await rows('schedules')).map((r) => [r[0], r[3]])).toEqual([
      ['ui-every', 'paused'],
      ['ui-hourly', 'running'],
    ]);
    await page.click('[data-testid="toggle-ui-every"]');
    await until(async () => (await schedules()).some(([name, paused]) => name === 'ui-every' && !paused));
    await page.screenshot({ path: join(SCREENSHOTS, 'schedules.png'), fullPage: true });
    await page.click('[data-testid="delete-ui-every"]');
    await until(async () => (await schedules()).length === 1);
    await page.waitForSelector('[data-testid="delete-ui-every"]', { state: 'detached' });
    expect((await rows('schedules')).map((r) => r[0])).toEqual(['ui-hourly']);
  });

  it("shows the broker's refusal of a bad schedule and creates nothing", async () => {
    await open('#/schedules', 'schedules');
    await page.fill('[data-testid="create-schedule"] input[name="name"]', 'ui-bad');
    await page.selectOption('[data-testid="create-schedule"] select[name="kind"]', 'cron');
    await page.fill('[data-testid="create-schedule"] input[name="when"]', 'not a cron');
    await page.click('[data-testid="create-schedule"] button');
    await page.waitForSelector('[data-testid="schedule-error"]:not(:empty)');
    expect(await page.textContent('[data-testid="schedule-error"]')).toContain('INVALID_REQUEST');
    expect(await schedules()).toEqual([['ui-hourly', false]]);
  });
});
