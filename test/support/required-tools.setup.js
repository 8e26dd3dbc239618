/* global expect */
// Runs before each test file of the projects whose suites drive outside programs (jest.config.js):
// a suite whose tool is missing is skipped as a whole (jest counts it as skipped and
// required-tools.reporter.js names it once at the end), or fails under CI=true.
import { relative } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { aptInstallLine, missingToolsFor, toolsRequired } from './required-tools.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const suite = relative(root, expect.getState().testPath ?? '')
  .split('\\')
  .join('/');
const missing = missingToolsFor(suite);
if (missing.length > 0) {
  const names = missing.map((t) => t.name).join(', ');
  if (toolsRequired())
    throw new Error(
      `${suite} needs ${names}, missing from PATH (CI=true requires every tool): ${aptInstallLine(missing)}`,
    );
  // Every describe and test of this file is declared skipped: none of its hooks run.
  globalThis.describe = globalThis.describe.skip;
  globalThis.it = globalThis.it.skip;
  globalThis.test = globalThis.test.skip;
}
