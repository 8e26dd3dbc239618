import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/ (docs/architecture.md, "Layers"); test/unit/import-graph.spec.ts checks every
// import against them. Lint repeats it for the bottom layers, whose sub-folders share no name with
// a feature folder: `**/log/**` in an import there can only mean src/log.
const ABOVE_STORAGE = [
  'security',
  'http',
  'log',
  'groups',
  'consumer-groups',
  'share-groups',
  'jobs',
  'operations',
  'metrics',
  'kafka',
];
const below = (folders) => folders.map((folder) => `**/${folder}/**`);

export default tseslint.config(
  { ignores: ['dist/**', 'libs/*/dist/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/*/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'prom-client',
                '**/storage/**',
                '**/metrics/**',
                '**/http/**',
                '**/*.service.js',
              ],
              message: 'a domain/ folder is plain TypeScript',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/{log,groups,consumer-groups,share-groups,jobs,operations,security,kafka}/*.ts',
      'src/*/storage/**/*.ts',
    ],
    // A feature's module file declares its controllers.
    ignores: ['src/*/*.module.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/http/**'], message: 'services and stores never import http/' }] },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...below(['platform', 'storage', ...ABOVE_STORAGE]), '**/*.service.js'],
              message: 'config/ is the bottom layer: it imports no other folder of src/',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...below(['storage', ...ABOVE_STORAGE]), '**/*.service.js'],
              message: 'platform/ holds building blocks every feature uses: it imports config/ only, no feature',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...below(ABOVE_STORAGE), '**/*.service.js'],
              message: 'storage/ (the database) imports config/ and platform/ only: the stores live in their feature',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/metrics/*.ts'],
    ignores: ['src/metrics/metrics.module.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/*.service.js', '**/http/**'],
              message: 'metrics depend on domain types (e.g. ShareActivityCounts), not on services',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../../../src/**', '../../../../src/**'], message: 'libs/ never import src/' }] },
      ],
    },
  },
);
