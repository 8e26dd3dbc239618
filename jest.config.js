import { execSync } from 'node:child_process';

// NestJS 12 is ESM only: tests run as ES modules (NODE_OPTIONS=--experimental-vm-modules),
// compiled by ts-jest without type-checking (npm test type-checks first with tsc).
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.jest.json', diagnostics: false }];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  // @shoal/* are workspace packages; tests run their sources, so they never see a stale dist.
  moduleNameMapper: {
    '^@shoal/(protocol|client|transport)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
};

// The dashboard check needs Debian's prometheus binary (.ci/run installs it); elsewhere it is
// left out with a note rather than failing a fresh clone's `npm test`.
const hasPrometheus = (() => {
  try {
    execSync('command -v prometheus && command -v promtool', { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasPrometheus && !process.env.CI)
  console.warn('prometheus is not installed: the Grafana dashboard check is left out (apt-get install -y prometheus)');

export default {
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/postgres.global-setup.js',
      globalTeardown: '<rootDir>/test/support/postgres.global-teardown.js',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/postgres.global-setup.js',
      globalTeardown: '<rootDir>/test/support/postgres.global-teardown.js',
    },
    // Packs the workspace packages, installs them into a new app outside the repository (npm
    // registry, or its cache) and runs it against the built broker: about a minute.
    { ...common, displayName: 'install', testMatch: ['<rootDir>/test/install/**/*.spec.ts'] },
    ...(hasPrometheus || process.env.CI
      ? [
          {
            ...common,
            displayName: 'observability',
            testMatch: ['<rootDir>/test/observability/**/*.spec.ts'],
            // Two brokers on one PostgreSQL, scraped together.
            globalSetup: '<rootDir>/test/support/postgres.global-setup.js',
            globalTeardown: '<rootDir>/test/support/postgres.global-teardown.js',
          },
        ]
      : []),
  ],
};
