// NestJS 12 is ESM only: tests run as ES modules (NODE_OPTIONS=--experimental-vm-modules),
// compiled by ts-jest without type-checking (npm test type-checks first with tsc).
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
};

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
  ],
};
