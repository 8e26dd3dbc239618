// One note at the end of a run naming the suites skipped for a missing tool and the apt-get
// line that enables them (required-tools.setup.js does the skipping).
import { relative } from 'node:path';
import { aptInstallLine, missingTools, toolsRequired } from './required-tools.js';

export default class RequiredToolsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    if (toolsRequired()) return; // the suites failed with the same line instead
    const ran = new Set(results.testResults.map((r) => relative(this.rootDir, r.testFilePath).split('\\').join('/')));
    const skipped = missingTools()
      .map((tool) => ({ tool, suites: tool.suites.filter((s) => ran.has(s)) }))
      .filter(({ suites }) => suites.length > 0);
    if (skipped.length === 0) return;
    const lines = skipped.flatMap(({ tool, suites }) =>
      suites.map((s) => `  ${s} (needs ${tool.binaries.join(' and ')})`),
    );
    process.stderr.write(
      `\nSkipped, a tool is missing from PATH:\n${lines.join('\n')}\n` +
        `Run them too: ${aptInstallLine(skipped.map((s) => s.tool))}   (under CI=true a missing tool fails the run)\n`,
    );
  }
}
