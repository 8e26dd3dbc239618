import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
      'src/{log,consumer-groups,share-groups,jobs,operations,security,kafka}/*.ts',
      'src/*/storage/**/*.ts',
      'src/storage/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/http/**'], message: 'services and stores never import http/' }] },
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
              group: ['**/http/**', '**/metrics/**', '**/kafka/**', '**/*.service.js'],
              message: 'platform/ holds building blocks every feature uses: it depends on no feature service',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/metrics/*.ts'],
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
