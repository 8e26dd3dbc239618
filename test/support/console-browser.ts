import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { toolPath } from './required-tools.js';

/** Where the console suites leave their screenshots. */
export const SCREENSHOTS = join('test-output', 'console');

/**
 * Debian's chromium (found on PATH; .ci/run installs it), headless, without the background
 * connections this machine's closed network refuses; and a page at a desktop size that
 * accepts every dialog (the console's confirms).
 */
export async function launchConsoleBrowser(): Promise<{ browser: Browser; page: Page }> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: toolPath('chromium'),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => void dialog.accept());
  return { browser, page };
}
