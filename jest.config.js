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

// Suites that start the built programs (dist/) fail at once when dist/ is older than the sources;
// one embedded PostgreSQL serves the whole run (jest runs a global hook once per distinct file).
const builtCodeAndPostgres = {
  globalSetup: '<rootDir>/test/support/built-code.global-setup.js',
  globalTeardown: '<rootDir>/test/support/postgres.global-teardown.js',
};
// Suites that drive chromium, kcat or prometheus (test/support/required-tools.js) are skipped
// when the tool is missing, with one note at the end naming them and the apt-get line; under
// CI=true they fail instead.
const requiredTools = { setupFilesAfterEnv: ['<rootDir>/test/support/required-tools.setup.js'] };

export default {
  testTimeout: 60_000,
  // npm test runs four workers on two cores (many suites mostly wait on processes and timers);
  // this order keeps the multi-process suites apart.
  testSequencer: '<rootDir>/test/support/suite-order.sequencer.js',
  reporters: ['default', '<rootDir>/test/support/required-tools.reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      ...builtCodeAndPostgres,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
    },
    {
      ...common,
      ...builtCodeAndPostgres,
      ...requiredTools,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
    },
    // Packs the workspace packages, installs them into a new app outside the repository (npm
    // registry, or its cache) and runs it against the built broker: about a minute.
    {
      ...common,
      displayName: 'install',
      testMatch: ['<rootDir>/test/install/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/fresh-build.global-setup.js',
    },
    {
      ...common,
      ...requiredTools,
      displayName: 'observability',
      testMatch: ['<rootDir>/test/observability/**/*.spec.ts'],
      // Two brokers on one PostgreSQL, scraped together.
      globalSetup: '<rootDir>/test/support/postgres.global-setup.js',
      globalTeardown: '<rootDir>/test/support/postgres.global-teardown.js',
    },
  ],
};
