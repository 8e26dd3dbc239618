// The programs some suites drive besides Node: found through PATH, each with the suites that
// need it and the Debian package that installs it. Plain JavaScript: jest.config.js, the
// per-suite setup file and the reporter load it before anything is compiled.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** @type {import('./required-tools.js').RequiredTool[]} */
export const REQUIRED_TOOLS = [
  {
    name: 'chromium',
    binaries: ['chromium'],
    apt: 'chromium',
    suites: ['test/e2e/console.e2e.spec.ts', 'test/e2e/console-schedules.e2e.spec.ts'],
  },
  { name: 'kcat', binaries: ['kcat'], apt: 'kcat', suites: ['test/e2e/kafka-kcat.e2e.spec.ts'] },
  {
    // A primary and a streaming standby made with pg_basebackup (Debian's PostgreSQL, /usr/lib/postgresql/N/bin).
    name: 'postgresql',
    binaries: ['pg_basebackup'],
    apt: 'postgresql',
    suites: ['test/e2e/storage-failover.e2e.spec.ts'],
  },
  {
    name: 'prometheus',
    binaries: ['prometheus', 'promtool'],
    apt: 'prometheus',
    suites: ['test/observability/dashboards.spec.ts'],
  },
];

/** The executable `binary` as the shell would find it on `env.PATH`, or undefined. */
export function findExecutable(binary, env = process.env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, binary);
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The path of a tool's (first) binary; throws a clear error naming the apt package when it is missing. */
export function toolPath(name, env = process.env) {
  const tool = REQUIRED_TOOLS.find((t) => t.name === name);
  if (!tool) throw new Error(`unknown tool ${name}`);
  const path = findExecutable(tool.binaries[0], env);
  if (!path) throw new Error(`${tool.binaries[0]} is not on PATH: apt-get install -y ${tool.apt}`);
  return path;
}

/** The tools with a binary missing from `env.PATH`. */
export function missingTools(env = process.env, tools = REQUIRED_TOOLS) {
  return tools.filter((tool) => tool.binaries.some((binary) => !findExecutable(binary, env)));
}

/** The missing tools a suite (path relative to the repository, `/`-separated) needs. */
export function missingToolsFor(suite, env = process.env, tools = REQUIRED_TOOLS) {
  return missingTools(env, tools).filter((tool) => tool.suites.includes(suite));
}

/** The one apt-get line that installs `tools`. */
export function aptInstallLine(tools) {
  return `apt-get install -y ${[...new Set(tools.map((t) => t.apt))].join(' ')}`;
}

/** Under CI=true every tool is required: a missing one fails its suites instead of skipping them. */
export function toolsRequired(env = process.env) {
  return Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
}
